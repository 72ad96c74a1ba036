// ViewMaintainer: incremental (weighted) maintenance of one materialized view.
//
// State: the current output rows by key and, for aggregated views, per group the row
// count and one mergeable AggState per $compute; for views with expansions, per source
// $id its current contributions (row keys, or group contributions with their input
// values) and its dependency keys, plus the index dependency key -> source ids.
//
// Changes are weighted: a source change contributes its `before` with weight -1 and its
// `after` with weight +1, so filters, unnest, selects and aggregates stay exact under
// updates and deletes. With expansions the -1 side is the STORED contribution of the
// source id (related documents may have changed since it was computed).
//
// How the database drives it (per committed write batch, in commit order):
//   - a change to the view's source (spec().source(); for a view source: a Delta::Change
//     of the upstream view, before = change.before, after = change.row):
//       ApplySourceChange(before, after, lookup, &delta)
//   - a change to a collection in spec().related_collections() (also when it is the
//     source collection itself: call both, source first):
//       ApplyRelatedChange(collection, before, after, lookup, &delta)
//   The lookup must reflect the state AFTER the batch (or after the change); then the
//   rows equal a full Rebuild at that state. `delta` accumulates the output-row changes
//   to persist and to feed downstream views.
//
// Errors: lookup errors are returned before any state changes for the source document
// concerned. Corruption means the inputs were inconsistent with the state (retracting a
// row or value that is not there, e.g. a missed or replayed event); the state may then be
// partly updated and the view must be rebuilt. A maintainer is not thread-safe
// (externally synchronized); it is movable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parquedb/status.h"
#include "parquedb/value.h"
#include "views/aggregate.h"
#include "views/pipeline.h"
#include "views/view_spec.h"

namespace parquedb::views {

// Output-row changes, coalesced per key in first-touch order. A key whose final row is
// identical (same encoding) to its row before the first touch is dropped.
class Delta {
 public:
  struct Change {
    std::string key;
    std::optional<Value> before;  // the row before (nullopt: did not exist)
    std::optional<Value> row;     // the row after (nullopt: deleted)
  };

  const std::vector<Change>& changes() const { return changes_; }
  bool empty() const { return changes_.empty(); }
  size_t size() const { return changes_.size(); }
  void Clear();

  // Used by ViewMaintainer: records that `key` went from `before` to `after`
  // (coalescing with an earlier change of the same key), and drops no-op changes.
  void Record(const std::string& key, const std::optional<Value>& before,
              const std::optional<Value>& after);
  void Compact();

 private:
  std::vector<Change> changes_;
  std::unordered_map<std::string, size_t> index_;
};

// Whether two values are the same bit for bit (same kinds, scales, member order).
bool IdenticalValues(const Value& a, const Value& b);

class ViewMaintainer {
 public:
  struct SourceChange {
    Value before;  // null: the document did not exist
    Value after;   // null: the document was deleted
  };
  // Calls its argument once per source document (stops at the first error).
  using ScanFn = std::function<Status(const std::function<Status(const Value&)>&)>;

  explicit ViewMaintainer(std::shared_ptr<const ViewSpec> spec);
  ViewMaintainer(ViewMaintainer&&) noexcept;
  ViewMaintainer& operator=(ViewMaintainer&&) noexcept;
  ViewMaintainer(const ViewMaintainer&) = delete;
  ViewMaintainer& operator=(const ViewMaintainer&) = delete;
  ~ViewMaintainer();

  const ViewSpec& spec() const { return *spec_; }
  const std::shared_ptr<const ViewSpec>& shared_spec() const { return spec_; }

  Status ApplySourceChange(const Value& before, const Value& after, RelatedLookup& lookup,
                           Delta* out);
  // Applies several source changes, finalizing touched groups once (faster for batches).
  Status ApplySourceChanges(const std::vector<SourceChange>& changes, RelatedLookup& lookup,
                            Delta* out);
  // A document of `collection` (one of spec().related_collections()) changed; the
  // source documents whose evaluation read it (by id, or through a reverse lookup on a
  // field value of before or after) are re-evaluated from lookup.Get(source, id).
  // A no-op for collections the view does not expand.
  Status ApplyRelatedChange(std::string_view collection, const Value& before, const Value& after,
                            RelatedLookup& lookup, Delta* out);
  // Full refresh: discards the state and evaluates every document `scan` yields. When
  // `out` is given it receives the difference from the previous rows. On error the state
  // is partial: retry the rebuild.
  Status Rebuild(const ScanFn& scan, RelatedLookup& lookup, Delta* out = nullptr);
  // Full refresh from groups aggregated elsewhere (the columnar engine, src/exec):
  // replaces the state with `groups` (key values already bucketed, one per $groupBy
  // entry; the group's row count; one AggState per $compute), which must be what
  // Rebuild would build from the same rows. Aggregated views without expansions
  // only (InvalidArgument otherwise); groups with 0 rows are dropped.
  struct GroupState {
    std::vector<Value> key_values;
    int64_t rows = 0;
    std::vector<AggState> aggs;
  };
  Status RebuildFromGroups(std::vector<GroupState> groups);

  // Current output rows by key (every row has spec().OutputColumns(), "$id" first).
  const std::map<std::string, Value>& Rows() const { return rows_; }
  size_t group_count() const { return groups_.size(); }
  size_t tracked_sources() const { return sources_.size(); }

  // Switches to `spec`, a recompilation of a definition that produces the same rows
  // (e.g. only $refresh mode/schedule/strategy changed; the caller checks this).
  // InvalidArgument if the source or the output columns differ.
  Status Rebind(std::shared_ptr<const ViewSpec> spec);

  // Serializes the whole state (binary; see value_codec.h for values). Load needs the
  // spec of the same definition (definition_hash() is checked: InvalidArgument if it
  // differs; Corruption for malformed bytes).
  Status Save(std::string* out) const;
  static Result<ViewMaintainer> Load(std::shared_ptr<const ViewSpec> spec, std::string_view data);

 private:
  struct Group {
    int64_t rows = 0;
    Value key_values;  // array, one per $groupBy entry
    std::vector<AggState> aggs;
    bool touched = false;
  };
  // One aggregated contribution (a pipeline row), possibly stored per source.
  struct Contrib {
    std::string group_key;
    OrderKey order;
    std::vector<Value> values;   // inputs of all computes, concatenated
    std::vector<uint32_t> ends;  // ends[i]: end of compute i's inputs in `values`
  };
  struct SourceState {
    std::vector<std::string> deps;      // sorted, unique dependency keys
    std::vector<std::string> row_keys;  // non-aggregated views
    std::vector<Contrib> contribs;      // aggregated views
  };

  // A source document's fresh evaluation, before it replaces the stored one.
  struct Pending {
    SourceState state;
    std::vector<std::pair<std::string, Value>> rows;  // non-aggregated
    std::vector<std::vector<Value>> key_values;       // aggregated: per contribution
  };

  Status ApplyOne(const Value& before, const Value& after, RelatedLookup& lookup, Delta* out);
  Status ApplyDocument(const Value& doc, int weight, Delta* out);
  Status EvaluateSource(const Value& doc, RelatedLookup& lookup, Pending* p);
  Status RetractSource(const std::string& id, Delta* out);
  Status StoreSource(const std::string& id, Pending p, Delta* out);
  void BuildContrib(const Value& row, const Value& doc, int64_t sub, std::vector<Value>* key_values,
                    Contrib* c) const;
  Status ApplyContrib(const Contrib& c, const std::vector<Value>* key_values, int weight);
  Status AddRow(const std::string& key, Value row, Delta* out);
  Status RemoveRow(const std::string& key, Delta* out);
  Value GroupRow(const std::string& key, const Group& g) const;
  void Finalize(Delta* out);
  void Clear();

  std::shared_ptr<const ViewSpec> spec_;
  Pipeline pipeline_;
  std::map<std::string, Value> rows_;
  std::unordered_map<std::string, Group> groups_;
  std::vector<std::string> touched_;
  bool rebuilding_ = false;
  std::unordered_map<std::string, SourceState> sources_;
  std::unordered_map<std::string, std::unordered_set<std::string>> dep_index_;
  // Scratch buffers reused across documents.
  Contrib scratch_;
  std::vector<Value> scratch_keys_;
};

}  // namespace parquedb::views
