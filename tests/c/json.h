/* A small JSON reader for the C suite: parses a document into a tree and compares trees the
 * way the shared vectors ask (key order ignored, numbers as numbers, strings byte for byte
 * after unescaping). For tests only: it trusts nothing and allocates freely. */
#ifndef CONNECTLY_TEST_JSON_H
#define CONNECTLY_TEST_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    int boolean;          /* JSON_BOOL */
    double number;        /* JSON_NUMBER */
    char *string;         /* JSON_STRING: the unescaped bytes, NUL-terminated */
    size_t length;        /* JSON_STRING: how many bytes (a string may hold NUL) */
    size_t count;         /* JSON_ARRAY, JSON_OBJECT: how many members */
    struct json *items;   /* the members' values, in order */
    struct json *keys;    /* JSON_OBJECT: the members' names (strings), in order */
};

/* Parses `len` bytes of JSON text (one value, whitespace around it allowed); NULL when the
 * text is not JSON. Free the result with json_free. */
struct json *json_parse(const char *text, size_t len);

/* Frees a tree from json_parse; NULL does nothing. */
void json_free(struct json *value);

/* Whether two values are equal: objects with the same names and equal values in any order,
 * arrays equal item by item, numbers equal as doubles, strings byte for byte. */
int json_equal(const struct json *a, const struct json *b);

/* Whether two NUL-terminated JSON texts are equal values; both NULL is equal, one NULL or
 * either not JSON is not. */
int json_text_equal(const char *a, const char *b);

/* The value of member `key` of an object; NULL when absent or `object` is not an object. */
const struct json *json_get(const struct json *object, const char *key);

/* The string of member `key`; NULL when absent or not a string. */
const char *json_get_string(const struct json *object, const char *key);

#endif
