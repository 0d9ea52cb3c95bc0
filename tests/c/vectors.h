/* The shared vectors of tests/vectors/, as C data (build/c/vectors.c is generated from the
 * JSON by gen_vectors.py). Byte strings are lowercase hex; decode them with unhex(). */
#ifndef CONNECTLY_TEST_VECTORS_H
#define CONNECTLY_TEST_VECTORS_H

#include <stddef.h>

#include "connectly.h"

/* webhooks.json: a secret, a body and the signature Connectly sends for them. */
struct sig_vector {
    const char *name;
    const char *secret_hex;
    const char *body_hex;
    const char *signature;
};

/* webhook_errors.json: a delivery that must be refused, and the status of each check. */
struct err_vector {
    const char *name;
    const char *secret_hex;
    const char *body_hex;
    long body_repeat;
    int has_signature;
    const char *signature_hex;
    long long max_body_size; /* -1: the default */
    long long tolerance_s;   /* -1: none */
    connectly_status expected_verify;
    connectly_status expected_verify_event;
};

/* api_errors.json: a scripted API reply and the error it must give. */
struct api_vector {
    const char *name;
    const char *call;
    const char *reply_hex; /* the JSON list to POST to /_mock/fail */
    connectly_status kind;
    int http_status;
    int has_code;
    const char *code_hex;
    int has_message;
    const char *message_hex;
    int has_trace_id;
    const char *trace_id_hex;
    long long retry_after; /* whole seconds; -1: none */
};

/* retries.json: a scripted server, the attempts and the outcome. */
struct retry_vector {
    const char *name;
    const char *call;            /* send_text, send_template or create_webhook */
    const char *args_hex[3];     /* channel, to, text | number, template | address, topic */
    const char *params_hex[8];   /* template parameters: name, value, name, value, ... */
    int n_params;
    const char *script_hex;      /* the JSON list to POST to /_mock/fail */
    int max_retries;
    int timeout_ms;
    connectly_status outcome;
    unsigned attempts;
    int requests;
    int http_status;             /* 0: none (a timeout or a broken connection) */
};

/* receiving.json: an HTTP delivery and the status the receiving policy answers. */
struct recv_vector {
    const char *name;
    const char *method;
    int has_encoding;
    const char *encoding;
    const char *body_hex;        /* the bytes on the wire */
    int has_signature;
    const char *signature;
    long long max_body_size;     /* -1: the default */
    int http_status;
    connectly_status expected;
    const char *event_body_hex;  /* ok rows: the signed bytes the event carries */
    const char *event_text;
};

extern const char *const RECV_SECRET;
extern const struct recv_vector RECV_VECTORS[];
extern const size_t RECV_VECTOR_ROWS;
extern const struct sig_vector SIG_VECTORS[];
extern const size_t SIG_VECTOR_ROWS;
extern const struct err_vector ERR_VECTORS[];
extern const size_t ERR_VECTOR_ROWS;
extern const struct api_vector API_VECTORS[];
extern const size_t API_VECTOR_ROWS;
extern const struct retry_vector RETRY_VECTORS[];
extern const size_t RETRY_VECTOR_ROWS;

/* Records that `rows` rows of `file` ran, for `make conformance-check`: writes the number to
 * $CONNECTLY_CONFORMANCE_DIR/<file> when that variable is set. */
void conformance_report(const char *file, size_t rows);

#endif
