// The README's library example, built and run by ctest (test: library_quickstart).
// Usage: quickstart DB_DIR
#include <parquedb/db.h>

#include <cstdio>

int main(int argc, char** argv) {
  parquedb::Options options;
  options.path = argc > 1 ? argv[1] : "./data";
  auto schema = parquedb::Value::ParseJson(R"({
  "Customer": {"name": "string!", "email": "string!"},
  "Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "-> Customer"}})");
  auto db = parquedb::DB::Open(options, *schema);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  auto order = (*db)->Insert(
      "Order", *parquedb::Value::ParseJson(R"({"total": "12.50", "status": "paid"})"));
  if (!order.ok()) {
    std::fprintf(stderr, "%s\n", order.status().ToString().c_str());
    return 1;
  }
  parquedb::FindOptions find;
  find.sort = *parquedb::Value::ParseJson(R"({"total": -1})");
  find.limit = 10;
  auto paid = (*db)->Find("Order", *parquedb::Value::ParseJson(R"({"status": "paid"})"), find);
  if (!paid.ok()) {
    std::fprintf(stderr, "%s\n", paid.status().ToString().c_str());
    return 1;
  }
  for (const parquedb::Value& d : *paid) std::printf("%s\n", d.ToJsonString().c_str());
  return paid->empty() ? 1 : 0;
}
