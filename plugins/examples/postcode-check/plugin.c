// Postcode check: a district asks only its own residents, by postcode, in a survey whose
// question it names; a postcode that is not all digits or outside the district's prefixes is
// a problem listed with the built-in ones, and the resident can correct it.
//
// Implements the `survey-validator` world of civitas:plugin@0.1.0. Config (set by the district):
//   {"question": "postcode", "prefixes": ["200001", "200002"],
//    "message": "not a postcode of this district"}
// `message` is optional (the text shown to the resident, in the district's language). A
// skipped or absent answer is no problem here: whether the question is required is the
// survey's business. A config without `question` or `prefixes`, or a question whose answer is
// not text, is a plugin error (`bad-config`).
//
// The config reader handles exactly this shape (strings without escapes), because a general
// JSON parser would triple the plugin for no benefit.

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "survey_validator.h"

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

// Whether `text` starts with one of the strings of the array under `key`; -1 if the array is
// malformed, missing or empty.
static int has_listed_prefix(const char *json, size_t len, const char *key, const char *text, size_t text_len) {
  cursor_t c;
  if (!seek_key(json, len, key, &c) || c.at >= c.end || *c.at != '[') return -1;
  c.at++;
  int seen = 0;
  for (;;) {
    skip_space(&c);
    if (c.at < c.end && *c.at == ']') return seen == 0 ? -1 : 0;
    const char *item;
    size_t item_len;
    if (!read_string(&c, &item, &item_len)) return -1;
    seen++;
    if (item_len <= text_len && memcmp(item, text, item_len) == 0) return 1;
    skip_space(&c);
    if (c.at < c.end && *c.at == ',') c.at++;
  }
}

static bool all_digits(const char *text, size_t len) {
  if (len == 0) return false;
  for (size_t i = 0; i < len; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

static void set_error(survey_validator_plugin_error_t *err, const char *message) {
  survey_validator_string_dup(&err->code, "bad-config");
  survey_validator_string_dup(&err->message, message);
}

bool exports_survey_validator_validate(survey_validator_survey_response_t *response,
                                       survey_validator_list_problem_t *ret, survey_validator_plugin_error_t *err) {
  survey_validator_string_t config;
  civitas_plugin_host_config(&config);
  const char *json = (const char *)config.ptr;
  bool ok = true;
  ret->ptr = NULL;
  ret->len = 0;

  cursor_t c;
  const char *question;
  size_t question_len;
  const char *message = "not a postcode of this district";
  size_t message_len = strlen(message);
  cursor_t m;
  if (seek_key(json, config.len, "message", &m) && !read_string(&m, &message, &message_len)) {
    set_error(err, "\"message\" must be a string without escapes");
    ok = false;
  } else if (!seek_key(json, config.len, "question", &c) || !read_string(&c, &question, &question_len)) {
    set_error(err, "config needs \"question\": \"the postcode question's key\"");
    ok = false;
  } else {
    for (size_t i = 0; ok && i < response->answers.len; i++) {
      civitas_plugin_types_answer_t *answer = &response->answers.ptr[i];
      if (answer->question.len != question_len || memcmp(answer->question.ptr, question, question_len) != 0) continue;
      if (answer->value.tag == CIVITAS_PLUGIN_TYPES_ANSWER_VALUE_SKIPPED) break;
      if (answer->value.tag != CIVITAS_PLUGIN_TYPES_ANSWER_VALUE_TEXT) {
        set_error(err, "the configured question is not answered with text");
        ok = false;
        break;
      }
      const char *text = (const char *)answer->value.val.text.ptr;
      size_t text_len = answer->value.val.text.len;
      int listed = has_listed_prefix(json, config.len, "prefixes", text, text_len);
      if (listed < 0) {
        set_error(err, "config needs \"prefixes\": [at least one postcode prefix]");
        ok = false;
      } else if (listed == 0 || !all_digits(text, text_len)) {
        ret->ptr = malloc(sizeof(survey_validator_problem_t));
        ret->len = 1;
        survey_validator_problem_t *problem = &ret->ptr[0];
        problem->question.is_some = true;
        survey_validator_string_dup_n(&problem->question.val, question, question_len);
        survey_validator_string_dup_n(&problem->message, message, message_len);
      }
      break;
    }
  }
  // Exported functions own their arguments, and the config string is ours too.
  survey_validator_string_free(&config);
  survey_validator_survey_response_free(response);
  return ok;
}
