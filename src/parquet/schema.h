// Schema: the logical tree of a Parquet file (groups, lists, leaves) and its flat
// SchemaElement form. Computes each leaf's path and max definition/repetition level.
#pragma once

#include <cstdint>
#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquet/metadata.h"

namespace parquedb::parquet {

// A node of the schema tree. Leaves have a physical type; groups have children.
struct SchemaNode {
  std::string name;
  Repetition repetition = Repetition::kRequired;
  bool is_leaf = true;
  PhysicalType type = PhysicalType::kInt32;  // leaves
  int32_t type_length = 0;                   // FIXED_LEN_BYTE_ARRAY width
  LogicalType logical;                       // leaves and LIST/MAP groups
  std::optional<ConvertedType> converted;    // legacy annotation (read side)
  int32_t field_id = -1;                     // -1: none
  std::vector<SchemaNode> children;          // groups

  // Builders for the common shapes.
  static SchemaNode Leaf(std::string name, PhysicalType type, Repetition rep,
                         LogicalType logical = {}, int32_t type_length = 0);
  static SchemaNode Group(std::string name, Repetition rep, std::vector<SchemaNode> children);
  // DECIMAL(precision, scale) leaf on the narrowest physical type: INT32 up to
  // precision 9, INT64 up to 18, else FIXED_LEN_BYTE_ARRAY of the minimal width.
  static SchemaNode Decimal(std::string name, Repetition rep, int precision, int scale);
  // Standard 3-level list: <rep> group name (LIST) { repeated group list { element } }.
  // `element` is renamed to "element".
  static SchemaNode List(std::string name, Repetition rep, SchemaNode element);
};

// Per-leaf facts derived from the tree.
struct LeafInfo {
  std::vector<std::string> path;  // names from the root's child down to the leaf
  std::string dotted_path;        // path joined with '.'
  int16_t max_def = 0;
  int16_t max_rep = 0;
  const SchemaNode* node = nullptr;  // points into the owning Schema
};

class Schema {
 public:
  Schema() = default;
  // Builds from the root's children (the root group is implicit, named "schema").
  static Result<Schema> Make(std::vector<SchemaNode> fields);
  // Builds from the footer's flat, depth-first list; Corruption if inconsistent
  // (bad num_children, leaf without type, too deep, ...).
  static Result<Schema> FromElements(const std::vector<SchemaElement>& elements);

  // Flattens to footer form (root first), with legacy converted types filled in
  // for compatibility with older readers.
  std::vector<SchemaElement> ToElements() const;

  const std::vector<SchemaNode>& fields() const { return root_->children; }
  const std::vector<LeafInfo>& leaves() const { return leaves_; }
  size_t num_leaves() const { return leaves_.size(); }
  // Index of the leaf with this dotted path, or -1.
  int FindLeaf(const std::string& dotted_path) const;

  Schema(const Schema& other) { *this = other; }
  Schema& operator=(const Schema& other);
  Schema(Schema&&) = default;
  Schema& operator=(Schema&&) = default;

 private:
  Status Init();
  std::unique_ptr<SchemaNode> root_;
  std::vector<LeafInfo> leaves_;
};

}  // namespace parquedb::parquet
