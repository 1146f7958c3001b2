/* SPDX-License-Identifier: MIT */
/*
 * tools/common/json.c - the streaming JSON writer (see json.h).
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

void json_finish(struct json *j)
{
	assert(j->depth == 0);
	fputc('\n', j->out);
	fflush(j->out);
}

static void indent(struct json *j)
{
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Separator and indentation before a value or key at the current level. */
static void before_item(struct json *j, bool is_key)
{
	(void)is_key; /* only read by assert(), gone under NDEBUG */
	if (j->after_key) {
		assert(!is_key);
		j->after_key = false;
		return;
	}
	assert(j->depth == 0 || j->object[j->depth] == is_key);
	if (j->depth == 0)
		return;
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	indent(j);
}

static void open_level(struct json *j, bool object)
{
	before_item(j, false);
	fputc(object ? '{' : '[', j->out);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		assert(!"json nesting too deep");
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
	j->object[j->depth] = object;
}

static void close_level(struct json *j, bool object)
{
	bool empty;

	assert(j->depth > 0 && j->object[j->depth] == object && !j->after_key);
	if (j->depth == 0)
		return;
	empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		indent(j);
	fputc(object ? '}' : ']', j->out);
}

void json_begin_object(struct json *j)
{
	open_level(j, true);
}

void json_end_object(struct json *j)
{
	close_level(j, true);
}

void json_begin_array(struct json *j)
{
	open_level(j, false);
}

void json_end_array(struct json *j)
{
	close_level(j, false);
}

static void put_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((n = cli_utf8_seq(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else {
			fputs("\\ufffd", f);
			i++;
		}
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	before_item(j, true);
	put_string(j->out, key, strlen(key));
	fputs(": ", j->out);
	j->after_key = true;
}

void json_string_n(struct json *j, const char *s, size_t len)
{
	before_item(j, false);
	put_string(j->out, s, len);
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_string_n(j, s, strlen(s));
}

void json_uint(struct json *j, uint64_t v)
{
	before_item(j, false);
	fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, int64_t v)
{
	before_item(j, false);
	fprintf(j->out, "%" PRId64, v);
}

void json_double(struct json *j, double v)
{
	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	before_item(j, false);
	fprintf(j->out, "%.10g", v);
}

void json_bool(struct json *j, bool v)
{
	before_item(j, false);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	before_item(j, false);
	fputs("null", j->out);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_double(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}
