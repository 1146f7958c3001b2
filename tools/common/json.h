/* SPDX-License-Identifier: MIT */
/*
 * tools/common/json.h - a small streaming JSON writer: objects, arrays, keys, strings (escaped,
 * invalid UTF-8 replaced by U+FFFD), integers and doubles (non-finite values become null).  Output
 * is indented with two spaces.  Misuse (a value where a key is due, too deep a nesting) is a
 * programming error caught by assert in debug builds and ignored otherwise.
 */
#ifndef MINALIGN_TOOLS_JSON_H
#define MINALIGN_TOOLS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];  /* no element written yet at this level */
	bool object[JSON_MAX_DEPTH]; /* level is an object (else an array) */
	bool after_key;		     /* a key was written, its value is due */
};

void json_init(struct json *j, FILE *out);
/* Ends the document with a newline. */
void json_finish(struct json *j);

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s);
/* A string of @len bytes that may hold NUL bytes. */
void json_string_n(struct json *j, const char *s, size_t len);
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value shorthands */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_null(struct json *j, const char *key);

#endif /* MINALIGN_TOOLS_JSON_H */
