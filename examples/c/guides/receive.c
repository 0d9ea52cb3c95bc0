// connectly-example: receiver
/*
 * Receive: a webhook receiver in plain C (POSIX sockets, one request at a time) on
 * http://127.0.0.1:$PORT/webhook. At start it registers itself for the topics `messages`
 * and `delivery_status`; then, for each delivery, the library verifies the signature over
 * the raw body before anything parses it, the event is handled by its topic, and delivery
 * statuses feed a status tracker. SIGTERM or SIGINT stops it.
 *
 * Environment: CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID, CONNECTLY_BASE_URL (to register),
 * CONNECTLY_WEBHOOK_SECRET (to verify) and PORT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "connectly.h"

/* The largest request head read; a delivery's head is far smaller. */
#define MAX_HEAD 16384

// --8<-- [start:register]
/* Makes `url` the registration for both topics: a create, or an update where Connectly
 * answers a second create with 409. Safe to run at every start. */
static int register_webhooks(const connectly_client *client, const char *url) {
    static const char *const topics[] = {"messages", "delivery_status"};
    size_t i;
    for (i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        connectly_status status = connectly_upsert_webhook(client, url, topics[i], NULL, NULL);
        if (status != CONNECTLY_OK) {
            fprintf(stderr, "registering %s: %s: %s\n", topics[i], connectly_status_name(status),
                    connectly_last_error_message());
            return 1;
        }
        printf("registered %s for %s\n", url, topics[i]);
    }
    return 0;
}
// --8<-- [end:register]

// --8<-- [start:statuses]
/* Statuses may arrive late or twice: the tracker keeps the furthest one per message
 * (sent < delivered < read < delivery_failed) and says whether this one moved it forward. */
static void track_status(connectly_status_tracker *tracker, const connectly_event *event) {
    const char *id = connectly_event_message_id(event);
    const char *status = connectly_event_status(event);
    bool forward = false;
    char *furthest;
    if (connectly_status_tracker_advance(tracker, id, status, &forward) != CONNECTLY_OK) {
        fprintf(stderr, "status tracker: %s\n", connectly_last_error_message());
        return;
    }
    furthest = connectly_status_tracker_status(tracker, id); /* ours to free */
    printf("message %s: %s%s\n", id, status, forward ? "" : " (late: already further)");
    if (!forward && furthest != NULL) printf("  message %s stays %s\n", id, furthest);
    connectly_string_free(furthest);
    if (connectly_event_has_error(event)) {
        const char *code = connectly_event_error_code(event);
        printf("  failed: %s\n", code ? code : "(no code)");
    }
}
// --8<-- [end:statuses]

// --8<-- [start:events]
/* Acts on a verified event by its topic; unknown topics keep their whole JSON. */
static void handle_event(const connectly_event *event, connectly_status_tracker *tracker) {
    const char *topic = connectly_event_topic(event);
    const char *from = connectly_event_sender_id(event);
    double latitude, longitude;
    if (strcmp(topic, "delivery_status") == 0) {
        track_status(tracker, event);
    } else if (strcmp(topic, "messages") != 0) {
        printf("%s event: %s\n", topic, connectly_event_raw_json(event));
    } else if (connectly_event_has_button_reply(event)) {
        const char *payload = connectly_event_button_payload(event);
        const char *label = connectly_event_button_text(event);
        printf("%s tapped %s\n", from, payload ? payload : label ? label : "a button");
    } else if (connectly_event_list_reply_id(event) != NULL) {
        printf("%s picked row %s\n", from, connectly_event_list_reply_id(event));
    } else if (connectly_event_attachment_type(event) != NULL) {
        printf("%s sent an attachment (%s): %s\n", from, connectly_event_attachment_type(event),
               connectly_event_attachment_url(event));
    } else if (connectly_event_location(event, &latitude, &longitude)) {
        printf("%s is at %.5f, %.5f\n", from, latitude, longitude);
    } else {
        const char *text = connectly_event_text(event);
        printf("message from %s: %s\n", from, text ? text : "(no text)");
    }
}
// --8<-- [end:events]

// --8<-- [start:verify]
/* The verifier: made once, at start, from the secret Connectly signs deliveries with;
 * any number of threads may share it. NULL when the secret is unusable (empty). */
static connectly_webhook *make_verifier(const char *secret) {
    const uint8_t *secrets[1] = {(const uint8_t *)secret};
    size_t lengths[1] = {strlen(secret)};
    connectly_webhook *webhook = NULL;
    if (connectly_webhook_new(secrets, lengths, 1, &webhook) != CONNECTLY_OK) {
        fprintf(stderr, "webhook secret: %s\n", connectly_last_error_message());
    }
    return webhook;
}

/* One delivery: the method, the Content-Encoding and X-Connectly-Hmac-Sha256 headers (NULL
 * when absent) and the body exactly as read. The library decodes it, checks the signature
 * over those bytes, and only then parses them. Returns the HTTP status to answer with. */
static unsigned handle_delivery(const connectly_webhook *webhook,
                                connectly_status_tracker *tracker, const char *method,
                                const char *content_encoding, const uint8_t *body,
                                size_t body_len, const char *signature) {
    connectly_event *event = NULL;
    uint16_t answer = 500;
    connectly_status status = connectly_webhook_receive(
        webhook, method, content_encoding, body, body_len, signature, &event, &answer);
    if (status != CONNECTLY_OK) {
        /* 403 for a missing or wrong signature; 405, 413, 415 or 400 otherwise. */
        printf("refused a delivery with %u: %s\n", (unsigned)answer,
               connectly_status_name(status));
        return answer;
    }
    handle_event(event, tracker);
    connectly_event_free(event);
    return 200;
}
// --8<-- [end:verify]

/* The rest is the HTTP server: one connection, one request, then closed. */

static volatile sig_atomic_t stopping = 0;

static void on_stop(int signal_number) {
    (void)signal_number;
    stopping = 1;
}

static const char *reason(unsigned status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
    }
}

static void reply(int fd, unsigned status) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %u %s\r\nContent-Length: 0\r\n%sConnection: close\r\n\r\n", status,
                     reason(status), status == 405 ? "Allow: POST\r\n" : "");
    if (write(fd, head, (size_t)n) != n) perror("write");
}

/* The parts of a request head this receiver reads. */
struct head {
    char method[16], target[256], encoding[64], signature[256];
    int has_encoding, has_signature;
    long long content_length; /* -1 when absent */
};

/* Copies header line [line, end) into `out` when its name is `name`; returns 1 if it was. */
static int header(const char *line, const char *end, const char *name, char *out, size_t cap) {
    size_t len = strlen(name), n;
    const char *value;
    if ((size_t)(end - line) <= len || line[len] != ':' || strncasecmp(line, name, len) != 0) {
        return 0;
    }
    value = line + len + 1;
    while (value < end && (*value == ' ' || *value == '\t')) value++;
    while (end > value && (end[-1] == ' ' || end[-1] == '\t')) end--;
    n = (size_t)(end - value) < cap - 1 ? (size_t)(end - value) : cap - 1;
    memcpy(out, value, n);
    out[n] = 0;
    return 1;
}

/* Parses the head in buf (NUL-terminated, up to its last header's CRLF). 0, or the status to
 * refuse the request with. */
static unsigned parse_head(char *buf, struct head *h) {
    char *line = strstr(buf, "\r\n") + 2, *end, value[32];
    int chunked = 0;
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    if (sscanf(buf, "%15s %255s HTTP/1.%*c", h->method, h->target) != 2) return 400;
    for (; (end = strstr(line, "\r\n")) != NULL; line = end + 2) {
        if (header(line, end, "content-length", value, sizeof value)) {
            char *rest;
            long long n = strtoll(value, &rest, 10);
            if (h->content_length >= 0 || value[0] < '0' || value[0] > '9' || *rest != 0) {
                return 400;
            }
            h->content_length = n;
        }
        h->has_encoding |= header(line, end, "content-encoding", h->encoding, sizeof h->encoding);
        h->has_signature |=
            header(line, end, "x-connectly-hmac-sha256", h->signature, sizeof h->signature);
        chunked |= header(line, end, "transfer-encoding", value, sizeof value);
    }
    if (strcmp(h->target, "/webhook") != 0) return 404;
    return chunked ? 411 : 0;
}

/* Serves one connection: reads the head, lets the library refuse a wrong method or a body
 * over its limit before the body is read, reads the body by Content-Length, handles it.
 * Returns the status to answer with; 0 when the peer is gone (or stopped sending). */
static unsigned serve(int fd, const connectly_webhook *webhook,
                      connectly_status_tracker *tracker) {
    char buf[MAX_HEAD + 1], *blank = NULL;
    size_t used = 0, head_len, have;
    struct head h;
    uint16_t admitted = 500;
    uint8_t *body;
    unsigned status;

    while (blank == NULL) {
        ssize_t n = read(fd, buf + used, MAX_HEAD - used);
        if (n <= 0) return 0;
        used += (size_t)n;
        buf[used] = 0;
        blank = strstr(buf, "\r\n\r\n");
        if (blank == NULL && used == MAX_HEAD) return 431;
    }
    head_len = (size_t)(blank + 4 - buf);
    blank[2] = 0; /* the head, up to its last header's CRLF */
    status = parse_head(buf, &h);
    if (status != 0) return status;
    connectly_webhook_admit(webhook, h.method, h.content_length, &admitted);
    if (admitted != 200) return admitted;
    if (h.content_length < 0) h.content_length = 0; /* no Content-Length: no body */
    have = used - head_len;
    if (have > (size_t)h.content_length) return 400; /* a pipelined request: not served */
    body = malloc((size_t)h.content_length + 1);
    if (body == NULL) return 500;
    memcpy(body, buf + head_len, have);
    while (have < (size_t)h.content_length) {
        ssize_t n = read(fd, body + have, (size_t)h.content_length - have);
        if (n <= 0) break;
        have += (size_t)n;
    }
    status = have < (size_t)h.content_length
                 ? 0
                 : handle_delivery(webhook, tracker, h.method, h.has_encoding ? h.encoding : NULL,
                                   body, have, h.has_signature ? h.signature : NULL);
    free(body);
    return status;
}

/* A listening socket on 127.0.0.1:port, or -1. */
static int listen_on(unsigned port) {
    struct sockaddr_in addr;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(void) {
    const char *port_text = getenv("PORT");
    const char *secret = getenv("CONNECTLY_WEBHOOK_SECRET");
    unsigned port = port_text != NULL ? (unsigned)strtoul(port_text, NULL, 10) : 8080;
    connectly_client *client = NULL;
    connectly_webhook *webhook = secret != NULL ? make_verifier(secret) : NULL;
    connectly_status_tracker *tracker = connectly_status_tracker_new();
    struct sigaction stop, ignore;
    char url[64];
    int server = -1, failed = 1;
    connectly_status status;

    memset(&stop, 0, sizeof stop);
    stop.sa_handler = on_stop; /* no SA_RESTART: a signal interrupts poll() */
    sigemptyset(&stop.sa_mask);
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN; /* a peer gone before its answer is not fatal */
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGTERM, &stop, NULL) != 0 || sigaction(SIGINT, &stop, NULL) != 0 ||
        sigaction(SIGPIPE, &ignore, NULL) != 0) {
        perror("sigaction");
        goto done;
    }
    if (secret == NULL) fprintf(stderr, "set CONNECTLY_WEBHOOK_SECRET\n");
    if (port == 0 || port > 65535) fprintf(stderr, "set PORT to a port number\n");
    if (webhook == NULL || tracker == NULL || port == 0 || port > 65535) goto done;
    status = connectly_client_new_from_env(&client);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "client: %s: %s\n", connectly_status_name(status),
                connectly_last_error_message());
        goto done;
    }
    server = listen_on(port);
    if (server < 0) {
        perror("listen");
        goto done;
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%u/webhook", port);
    if (register_webhooks(client, url) != 0) goto done;
    printf("listening on %s\n", url);
    fflush(stdout);

    while (!stopping) {
        struct pollfd ready;
        struct timeval patience = {10, 0};
        unsigned answer;
        int fd;
        ready.fd = server;
        ready.events = POLLIN;
        ready.revents = 0;
        if (poll(&ready, 1, 500) <= 0) continue; /* a timeout, or a signal to check */
        fd = accept(server, NULL, NULL);
        if (fd < 0) continue;
        /* A client that stops sending is dropped after 10 s. */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
        answer = serve(fd, webhook, tracker);
        fflush(stdout); /* what it printed, before Connectly has its answer */
        if (answer != 0) reply(fd, answer);
        close(fd);
    }
    printf("stopped\n");
    failed = 0;
done:
    fflush(stdout);
    if (server >= 0) close(server);
    connectly_client_free(client);
    connectly_status_tracker_free(tracker);
    connectly_webhook_free(webhook);
    return failed;
}
