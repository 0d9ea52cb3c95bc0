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

/* requests.json: one setter or call argument list. `op` names what it sets (the runner maps
 * each to a connectly_* call); s[] are its strings (NULL: not given), d[] its numbers. */
struct req_step {
    const char *op;
    const char *s[4];
    double d[2];
};

/* requests.json: a call, built from its steps, and the request it must send (method, path
 * after /v1/businesses/<id>, JSON body or NULL for none), or the validation field it must
 * be refused with (error_field; nothing sent). */
struct req_vector {
    const char *name;
    const char *call;
    const struct req_step *steps;
    size_t n_steps;
    const char *error_field; /* NULL: an ok row */
    const char *method;
    const char *path;
    const char *body; /* JSON text; NULL: no body */
};

/* A party of an expected event; NULL: absent. */
struct party_expect {
    const char *id;
    const char *channel_type;
    const char *name;
    const char *user_id;
    const char *phone_number;
};

/* events.json: a signed body and the typed event it gives (or invalid_payload). Strings are
 * NULL when the field is absent; JSON fields are JSON text. */
struct event_vector {
    const char *name;
    const char *body; /* the signed text (no NUL byte in any row) */
    const char *signature;
    int invalid_payload;
    const char *kind; /* "message", "delivery_status" or "other" */
    const char *topic;
    long long timestamp;
    struct party_expect sender;
    struct party_expect recipient;
    const char *callback_data_json;
    /* message */
    const char *text;
    int has_attachment;
    const char *attachment[4]; /* type, url, caption, filename */
    int has_location;
    double latitude, longitude;
    const char *location_name;
    const char *location_address;
    int has_button_reply;
    const char *button[3]; /* text, payload, id */
    const char *list_reply[3]; /* id, text, description; all NULL: no list reply */
    const char *reply_to_id;
    const char *referral_json;
    /* delivery_status */
    const char *message_id;
    const char *status;
    int has_error;
    const char *error[4]; /* code, type, message, trace_id */
    const char *campaign_name;
};

extern const struct req_vector REQ_VECTORS[];
extern const size_t REQ_VECTOR_ROWS;
extern const char *const EVENT_SECRET;
extern const struct event_vector EVENT_VECTORS[];
extern const size_t EVENT_VECTOR_ROWS;
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
