/* The C suite's JSON reader (see json.h). */
#include "json.h"

#include <stdlib.h>
#include <string.h>

/* Deeper documents than this are refused, so hostile input cannot exhaust the stack. */
#define MAX_DEPTH 64

struct cursor {
    const char *at;
    const char *end;
};

static void *grow(void *p, size_t size) {
    void *q = realloc(p, size);
    if (q == NULL) abort();
    return q;
}

static void skip_space(struct cursor *c) {
    while (c->at < c->end && (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r'))
        c->at++;
}

static int literal(struct cursor *c, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(c->end - c->at) < n || memcmp(c->at, word, n) != 0) return 0;
    c->at += n;
    return 1;
}

static int hex4(struct cursor *c, unsigned *out) {
    unsigned v = 0;
    int i;
    if (c->end - c->at < 4) return 0;
    for (i = 0; i < 4; i++) {
        char h = *c->at++;
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Appends the UTF-8 encoding of code point `cp`. */
static void put_utf8(char **buf, size_t *len, size_t *cap, unsigned long cp) {
    unsigned char bytes[4];
    size_t n, i;
    if (cp < 0x80) {
        bytes[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        bytes[0] = (unsigned char)(0xc0 | (cp >> 6));
        bytes[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        bytes[0] = (unsigned char)(0xe0 | (cp >> 12));
        bytes[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        bytes[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        bytes[0] = (unsigned char)(0xf0 | (cp >> 18));
        bytes[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        bytes[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        bytes[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = grow(*buf, *cap);
    }
    for (i = 0; i < n; i++) (*buf)[(*len)++] = (char)bytes[i];
}

static int parse_string(struct cursor *c, struct json *out) {
    size_t len = 0, cap = 16;
    char *buf = grow(NULL, cap);
    c->at++; /* the opening quote */
    while (c->at < c->end && *c->at != '"') {
        unsigned long cp;
        if ((unsigned char)*c->at < 0x20) goto bad;
        if (*c->at != '\\') {
            cp = (unsigned char)*c->at++;
            /* A raw byte, copied as it is (UTF-8 passes through unchanged). */
            if (len + 2 > cap) {
                cap *= 2;
                buf = grow(buf, cap);
            }
            buf[len++] = (char)cp;
            continue;
        }
        c->at++;
        if (c->at >= c->end) goto bad;
        switch (*c->at++) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
            unsigned hi, lo;
            if (!hex4(c, &hi)) goto bad;
            cp = hi;
            if (hi >= 0xd800 && hi < 0xdc00 && c->end - c->at >= 6 && c->at[0] == '\\' &&
                c->at[1] == 'u') {
                struct cursor save = *c;
                c->at += 2;
                if (hex4(c, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + (((unsigned long)hi - 0xd800) << 10) + (lo - 0xdc00);
                } else {
                    *c = save;
                }
            }
            break;
        }
        default: goto bad;
        }
        put_utf8(&buf, &len, &cap, cp);
    }
    if (c->at >= c->end) goto bad;
    c->at++; /* the closing quote */
    buf[len] = 0;
    out->type = JSON_STRING;
    out->string = buf;
    out->length = len;
    return 1;
bad:
    free(buf);
    return 0;
}

static int parse_number(struct cursor *c, struct json *out) {
    const char *start = c->at;
    char *copy, *stop;
    size_t n;
    int whole;
    while (c->at < c->end && *c->at != 0 && strchr("0123456789.eE+-", *c->at) != NULL) c->at++;
    n = (size_t)(c->at - start);
    if (n == 0) return 0;
    copy = grow(NULL, n + 1);
    memcpy(copy, start, n);
    copy[n] = 0;
    out->number = strtod(copy, &stop);
    out->type = JSON_NUMBER;
    whole = stop == copy + n;
    free(copy);
    return whole;
}

static int parse_value(struct cursor *c, struct json *out, int depth);

/* An array or an object: members separated by commas, closed by `close`. */
static int parse_members(struct cursor *c, struct json *out, int depth, int object) {
    size_t cap = 0;
    char close = object ? '}' : ']';
    out->type = object ? JSON_OBJECT : JSON_ARRAY;
    c->at++;
    skip_space(c);
    if (c->at < c->end && *c->at == close) {
        c->at++;
        return 1;
    }
    for (;;) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 4;
            out->items = grow(out->items, cap * sizeof *out->items);
            if (object) out->keys = grow(out->keys, cap * sizeof *out->keys);
        }
        memset(&out->items[out->count], 0, sizeof *out->items);
        if (object) {
            memset(&out->keys[out->count], 0, sizeof *out->keys);
            skip_space(c);
            if (c->at >= c->end || *c->at != '"' || !parse_string(c, &out->keys[out->count])) {
                out->count++;
                return 0;
            }
            skip_space(c);
            if (c->at >= c->end || *c->at != ':') {
                out->count++;
                return 0;
            }
            c->at++;
        }
        if (!parse_value(c, &out->items[out->count++], depth + 1)) return 0;
        skip_space(c);
        if (c->at < c->end && *c->at == ',') {
            c->at++;
            continue;
        }
        if (c->at < c->end && *c->at == close) {
            c->at++;
            return 1;
        }
        return 0;
    }
}

static int parse_value(struct cursor *c, struct json *out, int depth) {
    if (depth > MAX_DEPTH) return 0;
    skip_space(c);
    if (c->at >= c->end) return 0;
    switch (*c->at) {
    case '{': return parse_members(c, out, depth, 1);
    case '[': return parse_members(c, out, depth, 0);
    case '"': return parse_string(c, out);
    case 't': out->type = JSON_BOOL; out->boolean = 1; return literal(c, "true");
    case 'f': out->type = JSON_BOOL; out->boolean = 0; return literal(c, "false");
    case 'n': out->type = JSON_NULL; return literal(c, "null");
    default: return parse_number(c, out);
    }
}

static void release(struct json *v) {
    size_t i;
    for (i = 0; i < v->count; i++) {
        release(&v->items[i]);
        if (v->keys) release(&v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

struct json *json_parse(const char *text, size_t len) {
    struct cursor c;
    struct json *root = grow(NULL, sizeof *root);
    memset(root, 0, sizeof *root);
    c.at = text;
    c.end = text + len;
    if (!parse_value(&c, root, 0)) {
        json_free(root);
        return NULL;
    }
    skip_space(&c);
    if (c.at != c.end) {
        json_free(root);
        return NULL;
    }
    return root;
}

void json_free(struct json *value) {
    if (value == NULL) return;
    release(value);
    free(value);
}

static int same_string(const struct json *a, const struct json *b) {
    return a->length == b->length && memcmp(a->string, b->string, a->length) == 0;
}

int json_equal(const struct json *a, const struct json *b) {
    size_t i, j;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case JSON_NULL: return 1;
    case JSON_BOOL: return a->boolean == b->boolean;
    case JSON_NUMBER: return a->number == b->number;
    case JSON_STRING: return same_string(a, b);
    case JSON_ARRAY:
        if (a->count != b->count) return 0;
        for (i = 0; i < a->count; i++)
            if (!json_equal(&a->items[i], &b->items[i])) return 0;
        return 1;
    case JSON_OBJECT:
        if (a->count != b->count) return 0;
        for (i = 0; i < a->count; i++) {
            for (j = 0; j < b->count; j++)
                if (same_string(&a->keys[i], &b->keys[j])) break;
            if (j == b->count || !json_equal(&a->items[i], &b->items[j])) return 0;
        }
        return 1;
    }
    return 0;
}

int json_text_equal(const char *a, const char *b) {
    struct json *x, *y;
    int equal;
    if (a == NULL || b == NULL) return a == b;
    x = json_parse(a, strlen(a));
    y = json_parse(b, strlen(b));
    equal = x != NULL && y != NULL && json_equal(x, y);
    json_free(x);
    json_free(y);
    return equal;
}

const struct json *json_get(const struct json *object, const char *key) {
    size_t i, n = strlen(key);
    if (object == NULL || object->type != JSON_OBJECT) return NULL;
    for (i = 0; i < object->count; i++)
        if (object->keys[i].length == n && memcmp(object->keys[i].string, key, n) == 0)
            return &object->items[i];
    return NULL;
}

const char *json_get_string(const struct json *object, const char *key) {
    const struct json *v = json_get(object, key);
    return v != NULL && v->type == JSON_STRING ? v->string : NULL;
}
