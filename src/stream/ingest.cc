// Payload mapping (TailItem, AI SDK, evalite) and atomic/partial ingestion.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "parquedb/stream.h"

namespace parquedb::stream {
namespace {

// Largest millisecond timestamp accepted (9999-12-31T23:59:59.999Z).
constexpr int64_t kMaxMillis = 253402300799999;

bool Fail(IngestError* e, std::string field, std::string reason) {
  e->field = std::move(field);
  e->reason = std::move(reason);
  return false;
}

std::string Join(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return std::string(prefix) + "." + std::string(name);
}

std::string Describe(const Value& v) {
  std::string text = v.ToJsonString();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(Value::KindName(v.kind())) + " " + text;
}

// Epoch milliseconds (int or double) or an ISO-8601 string -> timestamp value.
bool ToTimestamp(const Value& v, const std::string& field, Value* out, IngestError* e) {
  if (v.kind() == Value::Kind::kTimestamp) {
    *out = v;
    return true;
  }
  if (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kDouble) {
    double ms = v.as_double();
    if (!std::isfinite(ms) || ms < 0 || ms > static_cast<double>(kMaxMillis)) {
      return Fail(e, field, "epoch milliseconds out of range: " + v.ToJsonString());
    }
    if (v.kind() == Value::Kind::kInt) {
      *out = Value::Timestamp(v.as_int() * 1000);
    } else {
      *out = Value::Timestamp(static_cast<int64_t>(std::llround(ms * 1000.0)));
    }
    return true;
  }
  if (v.kind() == Value::Kind::kString) {
    auto t = ParseTimestampMicros(v.as_string());
    if (!t.ok()) return Fail(e, field, t.status().message());
    *out = Value::Timestamp(*t);
    return true;
  }
  return Fail(e, field, "expected epoch milliseconds or an ISO-8601 string, got " + Describe(v));
}

// Member lookup with alternative names; nullptr if none present (null counts as absent).
const Value* Pick(const Value& obj, std::initializer_list<std::string_view> names,
                  std::string_view* which = nullptr) {
  for (std::string_view n : names) {
    const Value* v = obj.Find(n);
    if (v != nullptr && !v->is_null()) {
      if (which != nullptr) *which = n;
      return v;
    }
  }
  return nullptr;
}

bool RequireString(const Value& obj, std::initializer_list<std::string_view> names,
                   const std::string& prefix, std::string* out, IngestError* e) {
  std::string_view which = *names.begin();
  const Value* v = Pick(obj, names, &which);
  if (v == nullptr) return Fail(e, Join(prefix, *names.begin()), "missing");
  if (v->kind() != Value::Kind::kString) {
    return Fail(e, Join(prefix, which), "expected a string, got " + Describe(*v));
  }
  *out = v->as_string();
  return true;
}

bool OptionalString(const Value& obj, std::string_view name, const std::string& prefix,
                    IngestError* e) {
  const Value* v = obj.Find(name);
  if (v == nullptr || v->is_null() || v->kind() == Value::Kind::kString) return true;
  return Fail(e, Join(prefix, name), "expected a string, got " + Describe(*v));
}

bool OptionalObject(const Value& obj, std::string_view name, const std::string& prefix,
                    IngestError* e) {
  const Value* v = obj.Find(name);
  if (v == nullptr || v->is_null() || v->kind() == Value::Kind::kObject) return true;
  return Fail(e, Join(prefix, name), "expected an object, got " + Describe(*v));
}

// A non-negative integer (integral doubles accepted).
bool ToCount(const Value& v, const std::string& field, int64_t* out, IngestError* e) {
  if (v.kind() == Value::Kind::kInt) {
    *out = v.as_int();
  } else if (v.kind() == Value::Kind::kDouble && std::isfinite(v.as_double()) &&
             v.as_double() == std::floor(v.as_double()) && std::fabs(v.as_double()) < 9e15) {
    *out = static_cast<int64_t>(v.as_double());
  } else {
    return Fail(e, field, "expected an integer, got " + Describe(v));
  }
  if (*out < 0) return Fail(e, field, "expected a non-negative integer, got " + v.ToJsonString());
  return true;
}

// logs / exceptions: arrays of objects whose `timestamp` (ms) becomes a timestamp.
bool MapEntries(const Value& item, std::string_view name, bool logs, Value* out, IngestError* e) {
  const Value* arr = item.Find(name);
  if (arr == nullptr || arr->is_null()) {
    *out = Value::MakeArray();
    return true;
  }
  if (arr->kind() != Value::Kind::kArray) {
    return Fail(e, std::string(name), "expected an array, got " + Describe(*arr));
  }
  Value::Array entries;
  entries.reserve(arr->as_array().size());
  for (size_t i = 0; i < arr->as_array().size(); i++) {
    const Value& entry = arr->as_array()[i];
    const std::string prefix = std::string(name) + "." + std::to_string(i);
    if (entry.kind() != Value::Kind::kObject) {
      return Fail(e, prefix, "expected an object, got " + Describe(entry));
    }
    Value mapped = entry;
    if (logs) {
      std::string level;
      if (!RequireString(entry, {"level"}, prefix, &level, e)) return false;
      const Value* message = entry.Find("message");
      if (message == nullptr) return Fail(e, prefix + ".message", "missing");
    } else {
      std::string s;
      if (!RequireString(entry, {"name"}, prefix, &s, e)) return false;
      if (!RequireString(entry, {"message"}, prefix, &s, e)) return false;
    }
    if (const Value* ts = entry.Find("timestamp"); ts != nullptr && !ts->is_null()) {
      Value t;
      if (!ToTimestamp(*ts, prefix + ".timestamp", &t, e)) return false;
      mapped.Set("timestamp", t);
    }
    entries.push_back(std::move(mapped));
  }
  *out = Value::MakeArray(std::move(entries));
  return true;
}

bool CheckEvent(const Value& event, IngestError* e) {
  if (!OptionalObject(event, "request", "event", e)) return false;
  if (!OptionalObject(event, "response", "event", e)) return false;
  if (const Value* req = event.Find("request"); req != nullptr && !req->is_null()) {
    if (!OptionalString(*req, "url", "event.request", e)) return false;
    if (!OptionalString(*req, "method", "event.request", e)) return false;
    if (!OptionalObject(*req, "headers", "event.request", e)) return false;
    if (!OptionalObject(*req, "cf", "event.request", e)) return false;
    if (const Value* cf = req->Find("cf"); cf != nullptr && !cf->is_null()) {
      if (!OptionalString(*cf, "colo", "event.request.cf", e)) return false;
      if (!OptionalString(*cf, "country", "event.request.cf", e)) return false;
    }
  }
  if (const Value* resp = event.Find("response"); resp != nullptr && !resp->is_null()) {
    if (const Value* st = resp->Find("status"); st != nullptr && !st->is_null()) {
      int64_t status = 0;
      if (!ToCount(*st, "event.response.status", &status, e)) return false;
      if (status < 100 || status > 999) {
        return Fail(e, "event.response.status", "not an HTTP status: " + st->ToJsonString());
      }
    }
  }
  return true;
}

bool RequireTimestamp(const Value& item, std::initializer_list<std::string_view> names,
                      Value* out, IngestError* e) {
  std::string_view which = *names.begin();
  const Value* v = Pick(item, names, &which);
  if (v == nullptr) {
    std::string also;
    for (auto it = names.begin() + 1; it != names.end(); ++it) {
      also += also.empty() ? " (also accepted: " : ", ";
      also += *it;
    }
    if (!also.empty()) also += ")";
    return Fail(e, std::string(*names.begin()), "missing" + also);
  }
  return ToTimestamp(*v, std::string(which), out, e);
}

bool MapAIRequest(const Value& item, Value* doc, IngestError* e) {
  Value::Object o;
  std::string s;
  if (!RequireString(item, {"modelId", "model"}, "", &s, e)) return false;
  o.emplace_back("modelId", Value::String(s));
  if (!RequireString(item, {"providerId", "provider"}, "", &s, e)) return false;
  o.emplace_back("providerId", Value::String(s));
  if (!RequireString(item, {"requestType", "type"}, "", &s, e)) return false;
  if (s != "generate" && s != "stream") {
    return Fail(e, "requestType", "expected 'generate' or 'stream', got '" + s + "'");
  }
  o.emplace_back("requestType", Value::String(s));
  // tokens: tokens, or usage.totalTokens, or the sum of usage's input/output counts.
  if (const Value* t = Pick(item, {"tokens"})) {
    int64_t n = 0;
    if (!ToCount(*t, "tokens", &n, e)) return false;
    o.emplace_back("tokens", Value::Int(n));
  } else if (const Value* usage = Pick(item, {"usage"})) {
    if (usage->kind() != Value::Kind::kObject) {
      return Fail(e, "usage", "expected an object, got " + Describe(*usage));
    }
    std::string_view which;
    if (const Value* total = Pick(*usage, {"totalTokens", "total_tokens"}, &which)) {
      int64_t n = 0;
      if (!ToCount(*total, "usage." + std::string(which), &n, e)) return false;
      o.emplace_back("tokens", Value::Int(n));
    } else {
      int64_t sum = 0;
      bool any = false;
      for (std::string_view k : {"promptTokens", "completionTokens", "inputTokens", "outputTokens"}) {
        if (const Value* part = Pick(*usage, {k})) {
          int64_t n = 0;
          if (!ToCount(*part, "usage." + std::string(k), &n, e)) return false;
          sum += n;
          any = true;
        }
      }
      if (any) o.emplace_back("tokens", Value::Int(sum));
    }
  }
  std::string_view which;
  const Value* latency = Pick(item, {"latencyMs", "durationMs"}, &which);
  if (latency == nullptr) return Fail(e, "latencyMs", "missing (also accepted: durationMs)");
  int64_t ms = 0;
  if (latency->kind() == Value::Kind::kDouble && std::isfinite(latency->as_double()) &&
      latency->as_double() >= 0) {
    ms = std::llround(latency->as_double());
  } else if (!ToCount(*latency, std::string(which), &ms, e)) {
    return false;
  }
  o.emplace_back("latencyMs", Value::Int(ms));
  bool cached = false;
  if (const Value* c = Pick(item, {"cached"})) {
    if (c->kind() != Value::Kind::kBool) {
      return Fail(e, "cached", "expected a boolean, got " + Describe(*c));
    }
    cached = c->as_bool();
  }
  o.emplace_back("cached", Value::Bool(cached));
  // Only a present error is stored: DailyAIUsage counts errors with $exists.
  if (const Value* err = Pick(item, {"error"})) o.emplace_back("error", *err);
  Value ts;
  if (!RequireTimestamp(item, {"timestamp", "startedAt"}, &ts, e)) return false;
  o.emplace_back("timestamp", ts);
  *doc = Value::MakeObject(std::move(o));
  return true;
}

bool MapGeneration(const Value& item, Value* doc, IngestError* e) {
  Value::Object o;
  std::string s;
  if (!RequireString(item, {"modelId", "model"}, "", &s, e)) return false;
  o.emplace_back("modelId", Value::String(s));
  std::string_view which;
  const Value* content = Pick(item, {"content", "text", "object"}, &which);
  if (content == nullptr) return Fail(e, "content", "missing (also accepted: text, object)");
  std::string type;
  if (const Value* ct = Pick(item, {"contentType"})) {
    if (ct->kind() != Value::Kind::kString) {
      return Fail(e, "contentType", "expected a string, got " + Describe(*ct));
    }
    type = ct->as_string();
  } else {
    type = content->kind() == Value::Kind::kString ? "text" : "object";
  }
  if (type != "text" && type != "object") {
    return Fail(e, "contentType", "expected 'text' or 'object', got '" + type + "'");
  }
  o.emplace_back("contentType", Value::String(type));
  o.emplace_back("content", *content);
  if (!OptionalString(item, "prompt", "", e)) return false;
  if (const Value* p = Pick(item, {"prompt"})) o.emplace_back("prompt", *p);
  if (const Value* t = Pick(item, {"tokens"})) {
    int64_t n = 0;
    if (!ToCount(*t, "tokens", &n, e)) return false;
    o.emplace_back("tokens", Value::Int(n));
  }
  Value ts;
  if (!RequireTimestamp(item, {"timestamp"}, &ts, e)) return false;
  o.emplace_back("timestamp", ts);
  *doc = Value::MakeObject(std::move(o));
  return true;
}

bool RequireInt(const Value& item, std::initializer_list<std::string_view> names, int64_t* out,
                IngestError* e) {
  std::string_view which = *names.begin();
  const Value* v = Pick(item, names, &which);
  if (v == nullptr) return Fail(e, std::string(*names.begin()), "missing");
  return ToCount(*v, std::string(which), out, e);
}

bool MapEvalRun(const Value& item, Value* doc, IngestError* e) {
  Value::Object o;
  int64_t run_id = 0;
  if (!RequireInt(item, {"runId", "id"}, &run_id, e)) return false;
  o.emplace_back("runId", Value::Int(run_id));
  std::string type;
  if (!RequireString(item, {"runType", "type"}, "", &type, e)) return false;
  o.emplace_back("runType", Value::String(type));
  Value ts;
  if (!RequireTimestamp(item, {"timestamp", "created_at", "createdAt"}, &ts, e)) return false;
  o.emplace_back("timestamp", ts);
  *doc = Value::MakeObject(std::move(o));
  return true;
}

bool MapEvalScore(const Value& item, Value* doc, IngestError* e) {
  Value::Object o;
  int64_t run_id = 0;
  if (!RequireInt(item, {"runId", "run_id"}, &run_id, e)) return false;
  o.emplace_back("runId", Value::Int(run_id));
  std::string s;
  if (!RequireString(item, {"suiteName", "suite_name", "evalName", "eval_name"}, "", &s, e)) {
    return false;
  }
  o.emplace_back("suiteName", Value::String(s));
  if (!RequireString(item, {"scorerName", "scorer", "name"}, "", &s, e)) return false;
  o.emplace_back("scorerName", Value::String(s));
  const Value* score = Pick(item, {"score"});
  if (score == nullptr) return Fail(e, "score", "missing");
  double d = 0;
  if (score->is_number()) {
    d = score->as_double();
  } else if (score->kind() == Value::Kind::kString) {
    auto dec = Decimal::FromString(score->as_string());
    if (!dec.ok()) return Fail(e, "score", dec.status().message());
    d = dec->ToDouble();
  } else {
    return Fail(e, "score", "expected a number in [0, 1], got " + Describe(*score));
  }
  if (!std::isfinite(d) || d < 0 || d > 1) {
    return Fail(e, "score", "expected a number in [0, 1], got " + score->ToJsonString());
  }
  // decimal(5,4): rounded to 4 places.
  o.emplace_back("score", Value::Dec(Decimal{std::llround(d * 10000.0), 4}));
  Value ts;
  if (!RequireTimestamp(item, {"timestamp", "created_at", "createdAt"}, &ts, e)) return false;
  o.emplace_back("timestamp", ts);
  *doc = Value::MakeObject(std::move(o));
  return true;
}

// Parses the library's "operation <i>: <message>" write-batch context.
bool ParseOperationIndex(const std::string& msg, size_t* index, std::string* rest) {
  static constexpr std::string_view kPrefix = "operation ";
  if (msg.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  size_t pos = kPrefix.size();
  size_t i = 0;
  bool digits = false;
  while (pos < msg.size() && msg[pos] >= '0' && msg[pos] <= '9' && i < (SIZE_MAX / 10 - 10)) {
    i = i * 10 + static_cast<size_t>(msg[pos] - '0');
    pos++;
    digits = true;
  }
  if (!digits || msg.compare(pos, 2, ": ") != 0) return false;
  *index = i;
  *rest = msg.substr(pos + 2);
  return true;
}

// "TailEvents.scriptName: expected ..." -> field "scriptName", reason "expected ...".
void SplitFieldMessage(const std::string& msg, std::string_view collection,
                       const std::string& type_name, IngestError* e) {
  for (std::string_view prefix : {collection, std::string_view(type_name)}) {
    if (prefix.empty()) continue;
    if (msg.size() > prefix.size() + 1 && msg.compare(0, prefix.size(), prefix) == 0 &&
        msg[prefix.size()] == '.') {
      size_t colon = msg.find(": ", prefix.size());
      if (colon != std::string::npos) {
        e->field = msg.substr(prefix.size() + 1, colon - prefix.size() - 1);
        e->reason = msg.substr(colon + 2);
        return;
      }
    }
  }
  e->field.clear();
  e->reason = msg;
}

}  // namespace

std::string IngestError::ToString() const {
  std::string out = "item " + std::to_string(index) + ": ";
  if (!field.empty()) out += field + ": ";
  return out + reason;
}

Value IngestError::ToJson() const {
  return Value::MakeObject({{"index", Value::Int(static_cast<int64_t>(index))},
                            {"field", Value::String(field)},
                            {"error", Value::String(reason)}});
}

Value IngestResult::ToJson() const {
  Value::Array rej;
  for (const IngestError& e : rejected) rej.push_back(e.ToJson());
  return Value::MakeObject(
      {{"accepted", Value::Int(accepted)}, {"rejected", Value::MakeArray(std::move(rej))}});
}

bool MapTailItem(const Value& item, Value* doc, IngestError* e) {
  if (item.kind() != Value::Kind::kObject) {
    return Fail(e, "", "expected a TailItem object, got " + Describe(item));
  }
  Value::Object o;
  std::string s;
  if (!RequireString(item, {"scriptName"}, "", &s, e)) return false;
  if (s.empty()) return Fail(e, "scriptName", "empty");
  o.emplace_back("scriptName", Value::String(s));
  if (!RequireString(item, {"outcome"}, "", &s, e)) return false;
  o.emplace_back("outcome", Value::String(s));
  Value ts;
  if (!RequireTimestamp(item, {"eventTimestamp", "timestamp"}, &ts, e)) return false;
  o.emplace_back("eventTimestamp", ts);
  o.emplace_back("timestamp", ts);
  if (const Value* event = item.Find("event"); event != nullptr && !event->is_null()) {
    if (event->kind() != Value::Kind::kObject) {
      return Fail(e, "event", "expected an object, got " + Describe(*event));
    }
    if (!CheckEvent(*event, e)) return false;
    o.emplace_back("event", *event);
  }
  Value logs, exceptions;
  if (!MapEntries(item, "logs", true, &logs, e)) return false;
  if (!MapEntries(item, "exceptions", false, &exceptions, e)) return false;
  o.emplace_back("logs", std::move(logs));
  o.emplace_back("exceptions", std::move(exceptions));
  *doc = Value::MakeObject(std::move(o));
  return true;
}

Result<PayloadMapper> PayloadMapper::ForCollection(const DB& db, std::string_view collection) {
  Value schema = db.schema();
  const Value* def = schema.Find(collection);
  if (def != nullptr && def->kind() == Value::Kind::kString) {
    // A built-in import kept by module name: "TailEvents": "parquedb/tail".
    const std::string& module = def->as_string();
    if (module == "parquedb/tail") return ForKind("tail", "TailEvent");
    if (module == "parquedb/ai-sdk") {
      return ForKind("ai-sdk", collection == "Generations" ? "Generation" : "AIRequest");
    }
    if (module == "parquedb/evalite") {
      return ForKind("evalite", collection == "EvalRuns" ? "EvalRun" : "EvalScore");
    }
    return ForKind("", "");
  }
  if (def == nullptr || def->kind() != Value::Kind::kObject) {
    return Status::NotFound("no collection '" + std::string(collection) + "'");
  }
  if (def->Find("$from") != nullptr) {
    return Status::InvalidArgument("'" + std::string(collection) +
                                   "' is a view; ingest into its source collection");
  }
  std::string ingest, type;
  if (const Value* v = def->Find("$ingest"); v != nullptr && v->kind() == Value::Kind::kString) {
    ingest = v->as_string();
  }
  if (const Value* v = def->Find("$type"); v != nullptr && v->kind() == Value::Kind::kString) {
    type = v->as_string();
  }
  return ForKind(ingest, type);
}

PayloadMapper PayloadMapper::ForKind(std::string_view ingest, std::string_view type_name) {
  PayloadMapper m;
  m.kind_ = std::string(ingest);
  if (ingest == "tail") {
    m.shape_ = Shape::kTail;
  } else if (ingest == "ai-sdk") {
    m.shape_ = type_name == "Generation" ? Shape::kGeneration : Shape::kAIRequest;
  } else if (ingest == "evalite") {
    m.shape_ = type_name == "EvalRun" ? Shape::kEvalRun : Shape::kEvalScore;
  }
  return m;
}

bool PayloadMapper::Map(const Value& item, Value* doc, IngestError* error) const {
  if (item.kind() != Value::Kind::kObject) {
    return Fail(error, "", "expected an object, got " + Describe(item));
  }
  switch (shape_) {
    case Shape::kTail:
      return MapTailItem(item, doc, error);
    case Shape::kAIRequest:
      return MapAIRequest(item, doc, error);
    case Shape::kGeneration:
      return MapGeneration(item, doc, error);
    case Shape::kEvalRun:
      return MapEvalRun(item, doc, error);
    case Shape::kEvalScore:
      return MapEvalScore(item, doc, error);
    case Shape::kPlain:
      break;
  }
  *doc = item;
  return true;
}

Result<Value> ParseJsonDocument(std::string_view text) {
  auto v = Value::ParseJson(text);
  if (!v.ok()) return Status::InvalidArgument(DescribeJsonError(v.status(), text, 1));
  return v;
}

Result<std::vector<Value>> ParsePayload(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && (text[start] == ' ' || text[start] == '\t' ||
                                 text[start] == '\n' || text[start] == '\r')) {
    start++;
  }
  std::vector<Value> items;
  if (start == text.size()) return items;
  if (text[start] == '[') {
    auto v = Value::ParseJson(text);
    if (!v.ok()) return Status::InvalidArgument(DescribeJsonError(v.status(), text, 1));
    return v->as_array();
  }
  // A single object (possibly spread over lines) or NDJSON.
  if (auto whole = Value::ParseJson(text); whole.ok()) {
    items.push_back(std::move(*whole));
    return items;
  }
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    line_no++;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto v = Value::ParseJson(line);
    if (!v.ok()) return Status::InvalidArgument(DescribeJsonError(v.status(), line, line_no));
    items.push_back(std::move(*v));
  }
  return items;
}

Result<IngestResult> Ingest(DB* db, std::string_view collection, const std::vector<Value>& items,
                            const IngestOptions& options) {
  PQ_ASSIGN_OR_RETURN(PayloadMapper mapper, PayloadMapper::ForCollection(*db, collection));
  std::string type_name;
  const Value schema = db->schema();
  if (const Value* def = schema.Find(collection)) {
    if (const Value* t = def->Find("$type"); t != nullptr && t->kind() == Value::Kind::kString) {
      type_name = t->as_string();
    }
  }
  IngestResult result;
  std::vector<Value> docs;
  std::vector<size_t> origin;  // input index of docs[i]
  docs.reserve(items.size());
  origin.reserve(items.size());
  for (size_t i = 0; i < items.size(); i++) {
    Value doc;
    IngestError err;
    if (mapper.Map(items[i], &doc, &err)) {
      docs.push_back(std::move(doc));
      origin.push_back(i);
    } else {
      err.index = i;
      result.rejected.push_back(std::move(err));
    }
  }
  if (!options.partial && !result.rejected.empty()) return result;
  while (true) {
    WriteBatch batch;
    for (const Value& d : docs) batch.Insert(std::string(collection), d);
    if (options.extra_ops != nullptr) {
      for (const WriteBatch::Op& op : options.extra_ops->ops()) {
        switch (op.op) {
          case ChangeOp::kCreate:
            batch.Insert(op.collection, op.value);
            break;
          case ChangeOp::kUpdate:
            batch.Update(op.collection, op.id, op.value);
            break;
          case ChangeOp::kDelete:
            batch.Delete(op.collection, op.id);
            break;
        }
      }
    }
    if (batch.size() == 0) break;
    std::vector<Value> stored;
    Status s = db->Write(batch, &stored);
    if (s.ok()) {
      result.accepted = static_cast<int64_t>(docs.size());
      for (size_t i = 0; i < docs.size() && i < stored.size(); i++) {
        const Value* id = stored[i].Find("$id");
        result.ids.push_back(id != nullptr && id->kind() == Value::Kind::kString ? id->as_string()
                                                                                 : "");
      }
      break;
    }
    size_t op_index = 0;
    std::string rest;
    if ((s.IsInvalidArgument() || s.code() == Status::Code::kAlreadyExists) &&
        ParseOperationIndex(s.message(), &op_index, &rest) && op_index < docs.size()) {
      IngestError err;
      err.index = origin[op_index];
      SplitFieldMessage(rest, collection, type_name, &err);
      result.rejected.push_back(std::move(err));
      if (!options.partial) break;
      docs.erase(docs.begin() + static_cast<std::ptrdiff_t>(op_index));
      origin.erase(origin.begin() + static_cast<std::ptrdiff_t>(op_index));
      continue;
    }
    if (s.IsInvalidArgument() && batch.size() == 1 && docs.size() == 1) {
      // A one-operation batch may be reported without the operation prefix.
      IngestError err;
      err.index = origin[0];
      SplitFieldMessage(s.message(), collection, type_name, &err);
      result.rejected.push_back(std::move(err));
      if (!options.partial) break;
      docs.clear();
      origin.clear();
      continue;
    }
    return s;
  }
  std::sort(result.rejected.begin(), result.rejected.end(),
            [](const IngestError& a, const IngestError& b) { return a.index < b.index; });
  return result;
}

Result<IngestResult> Ingest(DB* db, std::string_view collection, const Value& payload,
                            const IngestOptions& options) {
  if (payload.kind() == Value::Kind::kArray) return Ingest(db, collection, payload.as_array(), options);
  return Ingest(db, collection, std::vector<Value>{payload}, options);
}

Result<IngestResult> IngestText(DB* db, std::string_view collection, std::string_view text,
                                const IngestOptions& options) {
  PQ_ASSIGN_OR_RETURN(std::vector<Value> items, ParsePayload(text));
  return Ingest(db, collection, items, options);
}

// ---- source positions ----

Value StreamOffsetsDefinition() {
  return Value::MakeObject({{"source", Value::String("string!")},
                            {"collection", Value::String("string!")},
                            {"position", Value::String("string!")},
                            {"records", Value::String("int!")}});
}

Value WithStreamOffsets(const Value& schema) {
  Value out = schema;
  if (out.kind() == Value::Kind::kObject && out.Find(kStreamOffsetsCollection) == nullptr) {
    out.Set(kStreamOffsetsCollection, StreamOffsetsDefinition());
  }
  return out;
}

Result<std::unique_ptr<DB>> OpenWithStreamOffsets(const Options& options) {
  PQ_ASSIGN_OR_RETURN(std::unique_ptr<DB> db, DB::Open(options));
  Value schema = db->schema();
  if (schema.Find(kStreamOffsetsCollection) != nullptr) return db;
  db.reset();  // release the directory lock before reopening with the added collection
  return DB::Open(options, WithStreamOffsets(schema));
}

Result<std::optional<std::string>> CommittedPosition(DB* db, std::string_view source) {
  auto doc = db->Get(kStreamOffsetsCollection, source);
  if (!doc.ok()) {
    if (doc.status().IsNotFound()) return std::optional<std::string>();
    return doc.status();
  }
  const Value* pos = doc->Find("position");
  if (pos == nullptr || pos->kind() != Value::Kind::kString) {
    return Status::Corruption("_stream_offsets/" + std::string(source) + " has no position");
  }
  return std::optional<std::string>(pos->as_string());
}

}  // namespace parquedb::stream
