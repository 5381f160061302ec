// Night-noise router: noise complaints submitted at night go straight to the police liaison.
//
// Implements the `ticket-router` world of civitas:plugin@0.1.0. Config (set by the district):
//   {"noise_categories": ["cat_noise"], "police_department": "dep_police",
//    "night_start_minute": 1320, "night_end_minute": 360}
// The two minute fields are optional (22:00 and 06:00). Anything else gets "no opinion".
//
// The config reader below handles exactly this shape (IDs without escapes), because a general
// JSON parser would triple the plugin for no benefit; malformed config is a plugin error.

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ticket_router.h"

typedef struct {
  const char *at;
  const char *end;
} cursor_t;

static void skip_space(cursor_t *c) {
  while (c->at < c->end && (*c->at == ' ' || *c->at == '\n' || *c->at == '\r' || *c->at == '\t')) c->at++;
}

// Moves the cursor just past `"key"` and the following colon; false if the key is absent.
static bool seek_key(const char *json, size_t len, const char *key, cursor_t *c) {
  size_t key_len = strlen(key);
  for (size_t i = 0; i + key_len + 2 <= len; i++) {
    if (json[i] == '"' && memcmp(json + i + 1, key, key_len) == 0 && json[i + 1 + key_len] == '"') {
      c->at = json + i + key_len + 2;
      c->end = json + len;
      skip_space(c);
      if (c->at < c->end && *c->at == ':') {
        c->at++;
        skip_space(c);
        return true;
      }
    }
  }
  return false;
}

// Reads a string without escapes at the cursor.
static bool read_string(cursor_t *c, const char **start, size_t *len) {
  if (c->at >= c->end || *c->at != '"') return false;
  const char *s = ++c->at;
  while (c->at < c->end && *c->at != '"') {
    if (*c->at == '\\') return false;
    c->at++;
  }
  if (c->at >= c->end) return false;
  *start = s;
  *len = (size_t)(c->at - s);
  c->at++;
  return true;
}

static bool read_minute(const char *json, size_t len, const char *key, int fallback, int *out) {
  cursor_t c;
  if (!seek_key(json, len, key, &c)) {
    *out = fallback;
    return true;
  }
  int value = 0;
  const char *digits = c.at;
  while (c.at < c.end && *c.at >= '0' && *c.at <= '9' && value < 10000) value = value * 10 + (*c.at++ - '0');
  if (c.at == digits || value > 1439) return false;
  *out = value;
  return true;
}

// Whether the array under `key` contains `needle`; -1 if the array is malformed or missing.
static int array_contains(const char *json, size_t len, const char *key, const ticket_router_string_t *needle) {
  cursor_t c;
  if (!seek_key(json, len, key, &c) || c.at >= c.end || *c.at != '[') return -1;
  c.at++;
  for (;;) {
    skip_space(&c);
    if (c.at < c.end && *c.at == ']') return 0;
    const char *item;
    size_t item_len;
    if (!read_string(&c, &item, &item_len)) return -1;
    if (item_len == needle->len && memcmp(item, needle->ptr, item_len) == 0) return 1;
    skip_space(&c);
    if (c.at < c.end && *c.at == ',') c.at++;
  }
}

static void set_error(ticket_router_plugin_error_t *err, const char *message) {
  ticket_router_string_dup(&err->code, "bad-config");
  ticket_router_string_dup(&err->message, message);
}

static void log_info(const char *message) {
  ticket_router_string_t text;
  ticket_router_string_set(&text, message);
  civitas_plugin_host_log(CIVITAS_PLUGIN_HOST_LEVEL_INFO, &text);
}

bool exports_ticket_router_route(ticket_router_new_ticket_t *ticket, ticket_router_option_routing_t *ret,
                                 ticket_router_plugin_error_t *err) {
  ticket_router_string_t config;
  civitas_plugin_host_config(&config);
  const char *json = (const char *)config.ptr;
  bool ok = true;
  ret->is_some = false;

  int category_is_noise = array_contains(json, config.len, "noise_categories", &ticket->category);
  int start, end;
  cursor_t c;
  const char *department;
  size_t department_len;
  if (category_is_noise < 0) {
    set_error(err, "config needs \"noise_categories\": [category IDs]");
    ok = false;
  } else if (!read_minute(json, config.len, "night_start_minute", 22 * 60, &start) ||
             !read_minute(json, config.len, "night_end_minute", 6 * 60, &end)) {
    set_error(err, "night_start_minute and night_end_minute must be 0..1439");
    ok = false;
  } else if (!seek_key(json, config.len, "police_department", &c) || !read_string(&c, &department, &department_len)) {
    set_error(err, "config needs \"police_department\": \"dep_...\"");
    ok = false;
  } else {
    int minute = ticket->minute_of_day;
    // The night window wraps around midnight when start > end (22:00-06:00).
    bool at_night = start > end ? (minute >= start || minute < end) : (minute >= start && minute < end);
    if (category_is_noise == 1 && at_night) {
      ret->is_some = true;
      ticket_router_routing_t *routing = &ret->val;
      routing->department.ptr = malloc(department_len);
      routing->department.len = department_len;
      memcpy(routing->department.ptr, department, department_len);
      routing->priority = CIVITAS_PLUGIN_TYPES_PRIORITY_HIGH;
      routing->tags.ptr = malloc(sizeof(ticket_router_string_t));
      routing->tags.len = 1;
      ticket_router_string_dup(&routing->tags.ptr[0], "night-noise");
      log_info("night-time noise complaint: routed to the police liaison");
    }
  }
  // Exported functions own their arguments, and the config string is ours too.
  ticket_router_string_free(&config);
  ticket_router_new_ticket_free(ticket);
  return ok;
}
