// Minimum age: a district lets residents vote in its participatory budget from a minimum age,
// as the city verified it (a birth year the identity provider vouched for). A voter younger
// than the minimum is refused with the config's message; a voter whose age the city does not
// know goes to the district's manual-review queue (staff check an ID card at the window) —
// never refused, never counted unseen.
//
// Implements the `ballot-eligibility` world of civitas:plugin@0.1.0. Config (set by the
// district):
//   {"minimumAge": 16, "message": "you must be 16 to vote"}
// `message` is optional. A config without a whole `minimumAge` is a plugin error
// (`bad-config`), which the hook's failure policy turns into manual review (it fails closed).
//
// The config reader handles exactly this shape (a number, a string without escapes), because
// a general JSON parser would triple the plugin for no benefit.

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ballot_eligibility.h"

// Moves `*at` just past `"key"` and the following colon; false if the key is absent.
static bool seek_key(const char *json, size_t len, const char *key, const char **at, const char **end) {
  size_t key_len = strlen(key);
  for (size_t i = 0; i + key_len + 2 <= len; i++) {
    if (json[i] == '"' && memcmp(json + i + 1, key, key_len) == 0 && json[i + 1 + key_len] == '"') {
      const char *c = json + i + key_len + 2;
      while (c < json + len && (*c == ' ' || *c == '\n' || *c == '\r' || *c == '\t')) c++;
      if (c < json + len && *c == ':') {
        c++;
        while (c < json + len && (*c == ' ' || *c == '\n' || *c == '\r' || *c == '\t')) c++;
        *at = c;
        *end = json + len;
        return true;
      }
    }
  }
  return false;
}

// A whole number from 0 to 150 at `at`; -1 if there is none.
static int read_age(const char *at, const char *end) {
  int value = 0;
  int digits = 0;
  while (at < end && *at >= '0' && *at <= '9' && digits < 4) {
    value = value * 10 + (*at - '0');
    at++;
    digits++;
  }
  if (digits == 0 || digits == 4 || value > 150 || (at < end && *at == '.')) return -1;
  return value;
}

// A string without escapes at `at`.
static bool read_string(const char *at, const char *end, const char **start, size_t *len) {
  if (at >= end || *at != '"') return false;
  const char *s = ++at;
  while (at < end && *at != '"') {
    if (*at == '\\') return false;
    at++;
  }
  if (at >= end) return false;
  *start = s;
  *len = (size_t)(at - s);
  return true;
}

bool exports_ballot_eligibility_check_eligibility(ballot_eligibility_voter_t *voter,
                                                  ballot_eligibility_budgeting_process_t *process,
                                                  ballot_eligibility_eligibility_t *ret,
                                                  ballot_eligibility_plugin_error_t *err) {
  ballot_eligibility_string_t config;
  civitas_plugin_host_config(&config);
  const char *json = (const char *)config.ptr;
  bool ok = true;
  const char *at;
  const char *end;
  int minimum = -1;
  if (seek_key(json, config.len, "minimumAge", &at, &end)) minimum = read_age(at, end);
  const char *message = "too young to vote in this process";
  size_t message_len = strlen(message);
  if (seek_key(json, config.len, "message", &at, &end) && !read_string(at, end, &message, &message_len)) {
    minimum = -1;
  }
  if (minimum < 0) {
    ballot_eligibility_string_dup(&err->code, "bad-config");
    ballot_eligibility_string_dup(&err->message,
                                  "config needs \"minimumAge\": a whole number, and \"message\" (optional) a string");
    ok = false;
  } else if (!voter->age.is_some) {
    ret->tag = CIVITAS_PLUGIN_TYPES_ELIGIBILITY_MANUAL_REVIEW;
    ballot_eligibility_string_dup(&ret->val.manual_review, "the city has no verified age for this voter: check an ID card");
  } else if (voter->age.val < minimum) {
    ret->tag = CIVITAS_PLUGIN_TYPES_ELIGIBILITY_INELIGIBLE;
    ballot_eligibility_string_dup_n(&ret->val.ineligible, message, message_len);
  } else {
    ret->tag = CIVITAS_PLUGIN_TYPES_ELIGIBILITY_ELIGIBLE;
  }
  // Exported functions own their arguments, and the config string is ours too.
  ballot_eligibility_string_free(&config);
  ballot_eligibility_voter_free(voter);
  ballot_eligibility_budgeting_process_free(process);
  return ok;
}
