// The `cuckoo` module: conditions on a Cuckoo sandbox behaviour report, given as module data
// (`-x cuckoo=report.json`).
//
// The report is parsed once per scan (nlohmann-json, without exceptions) and kept in the module
// state; each function looks in one place of it and answers 1 when some entry matches:
//   network.http_request/get/post   network.http[].uri  (get/post: method, any letter case)
//   network.http_user_agent         network.http[]."user-agent"
//   network.dns_lookup              network.domains[].domain
//   network.host                    network.hosts[] (strings)
//   network.tcp/udp(regex, port)    network.tcp[]/udp[] with dst matching and dport == port
//   registry.key_access             behavior.summary.keys[]
//   filesystem.file_access          behavior.summary.files[]
//   sync.mutex                      behavior.summary.mutexes[]
// Regular expressions search anywhere in the text. Without a report, or with one that is not
// valid JSON, or where a part is missing or of another type, the answer is 0.
#include <strings.h>

#include <nlohmann/json.hpp>

#include "modules/common/args.h"
#include "modules/module.h"
#include "re/pattern_set.h"

namespace vigie::mod {
namespace {

using nlohmann::json;

struct CuckooState : ModuleState {
  json report;
};

// The array at report[a][b]..., or nullptr.
const json* array_at(CallContext& ctx, std::initializer_list<const char*> path) {
  auto* state = dynamic_cast<CuckooState*>(ctx.state);
  if (state == nullptr) return nullptr;
  const json* j = &state->report;
  for (const char* key : path) {
    if (!j->is_object()) return nullptr;
    auto it = j->find(key);
    if (it == j->end()) return nullptr;
    j = &*it;
  }
  return j->is_array() ? j : nullptr;
}

bool matches(const Value& regex, const json& text) {
  return text.is_string() && regex.regex != nullptr &&
         re::regex_search(*regex.regex, text.get_ref<const std::string&>());
}

// Whether some string of report[path...][] matches.
Value any_string(CallContext& ctx, std::span<const Value> a,
                 std::initializer_list<const char*> path) {
  if (any_undefined(a)) return Value::undefined();
  if (const json* list = array_at(ctx, path)) {
    for (const json& e : *list) {
      if (matches(a[0], e)) return Value::integer(1);
    }
  }
  return Value::integer(0);
}

// Whether some object of report[path...][] has `field` matching (and `method`, when given).
Value any_field(CallContext& ctx, std::span<const Value> a, std::initializer_list<const char*> path,
                const char* field, const char* method = nullptr) {
  if (any_undefined(a)) return Value::undefined();
  if (const json* list = array_at(ctx, path)) {
    for (const json& e : *list) {
      if (!e.is_object()) continue;
      auto f = e.find(field);
      if (f == e.end() || !matches(a[0], *f)) continue;
      if (method != nullptr) {
        auto m = e.find("method");
        if (m == e.end() || !m->is_string() ||
            strcasecmp(m->get_ref<const std::string&>().c_str(), method) != 0) {
          continue;
        }
      }
      return Value::integer(1);
    }
  }
  return Value::integer(0);
}

Value connection(CallContext& ctx, std::span<const Value> a, const char* protocol) {
  if (any_undefined(a)) return Value::undefined();
  if (const json* list = array_at(ctx, {"network", protocol})) {
    for (const json& e : *list) {
      if (!e.is_object()) continue;
      auto dst = e.find("dst");
      auto port = e.find("dport");
      if (dst == e.end() || port == e.end() || !port->is_number_integer()) continue;
      if (port->get<int64_t>() == a[1].i && matches(a[0], *dst)) return Value::integer(1);
    }
  }
  return Value::integer(0);
}

Value http_request(CallContext& c, std::span<const Value> a) {
  return any_field(c, a, {"network", "http"}, "uri");
}
Value http_get(CallContext& c, std::span<const Value> a) {
  return any_field(c, a, {"network", "http"}, "uri", "GET");
}
Value http_post(CallContext& c, std::span<const Value> a) {
  return any_field(c, a, {"network", "http"}, "uri", "POST");
}
Value http_user_agent(CallContext& c, std::span<const Value> a) {
  return any_field(c, a, {"network", "http"}, "user-agent");
}
Value dns_lookup(CallContext& c, std::span<const Value> a) {
  return any_field(c, a, {"network", "domains"}, "domain");
}
Value host(CallContext& c, std::span<const Value> a) {
  return any_string(c, a, {"network", "hosts"});
}
Value tcp(CallContext& c, std::span<const Value> a) { return connection(c, a, "tcp"); }
Value udp(CallContext& c, std::span<const Value> a) { return connection(c, a, "udp"); }
Value key_access(CallContext& c, std::span<const Value> a) {
  return any_string(c, a, {"behavior", "summary", "keys"});
}
Value file_access(CallContext& c, std::span<const Value> a) {
  return any_string(c, a, {"behavior", "summary", "files"});
}
Value mutex(CallContext& c, std::span<const Value> a) {
  return any_string(c, a, {"behavior", "summary", "mutexes"});
}

void declare(SchemaBuilder& root) {
  SchemaBuilder network = root.structure("network");
  network.function("dns_lookup", "r", 'i', dns_lookup);
  network.function("http_get", "r", 'i', http_get);
  network.function("http_post", "r", 'i', http_post);
  network.function("http_request", "r", 'i', http_request);
  network.function("http_user_agent", "r", 'i', http_user_agent);
  network.function("host", "r", 'i', host);
  network.function("tcp", "ri", 'i', tcp);
  network.function("udp", "ri", 'i', udp);
  root.structure("registry").function("key_access", "r", 'i', key_access);
  root.structure("filesystem").function("file_access", "r", 'i', file_access);
  root.structure("sync").function("mutex", "r", 'i', mutex);
}

void load(LoadContext& ctx, Node&) {
  if (ctx.state == nullptr || ctx.module_data.empty()) return;
  auto state = std::make_unique<CuckooState>();
  state->report = json::parse(ctx.module_data.begin(), ctx.module_data.end(), nullptr,
                              /*allow_exceptions=*/false);
  if (state->report.is_discarded()) return;
  *ctx.state = std::move(state);
}

}  // namespace

extern const Module kCuckooModule{"cuckoo", declare, load};

}  // namespace vigie::mod
