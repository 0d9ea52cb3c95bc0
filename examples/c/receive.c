/*
 * A small webhook receiver: registers itself for topics "messages" and "delivery_status"
 * (upsert: whichever way Connectly answers a second registration) and lists the
 * registrations, then answers each delivery by the SDK's one receiving policy
 * (connectly_webhook_admit before reading the body, connectly_webhook_receive after: 200 when
 * it verifies; 405, 413, 415, 400 or 403 otherwise), reading each event typed, until one
 * inbound message and one delivery status have arrived; then deletes its registrations.
 *
 *   cc -D_POSIX_C_SOURCE=200809L receive.c $(pkg-config --cflags --libs connectly) -o receive
 *   CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
 *   CONNECTLY_BASE_URL=http://127.0.0.1:PORT ./receive [READY_FILE]
 *
 * It listens on 127.0.0.1 (plain http, which Connectly accepts only for the local mock);
 * once registered it writes its URL to READY_FILE. Exits 0 after a verified message and a
 * verified delivery status.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connectly.h"

#define MAX_REQUEST (1024 * 1024)

/* Reads one request's head, asks `admit` whether its method and declared length may be read,
 * then reads the body. Returns 0 with *body_at the body's offset, the HTTP status to refuse
 * with, or -1 when the connection failed. */
static int read_request(int fd, const connectly_webhook *webhook, char *buf, size_t cap,
                        size_t *body_at, size_t *body_len) {
    size_t used = 0;
    for (;;) {
        ssize_t n;
        char *end;
        if (used == cap) return -1;
        n = read(fd, buf + used, cap - used);
        if (n <= 0) return -1;
        used += (size_t)n;
        buf[used < cap ? used : cap - 1] = 0;
        end = strstr(buf, "\r\n\r\n");
        if (end != NULL) {
            const char *cl = NULL, *p;
            size_t want = 0;
            for (p = buf; p < end; p = strstr(p, "\r\n") + 2) {
                if (strncasecmp(p, "content-length:", 15) == 0) cl = p + 15;
                if (strstr(p, "\r\n") == NULL) break;
            }
            uint16_t admitted = 500;
            char method[16];
            size_t method_len = strcspn(buf, " ");
            if (method_len >= sizeof method) method_len = sizeof method - 1;
            memcpy(method, buf, method_len);
            method[method_len] = 0;
            if (cl != NULL) want = (size_t)strtoul(cl, NULL, 10);
            connectly_webhook_admit(webhook, method, cl != NULL ? (int64_t)want : -1, &admitted);
            if (admitted != 200) return admitted;
            *body_at = (size_t)(end + 4 - buf);
            if (want > cap - *body_at - 1) return 413;
            while (used < *body_at + want) {
                n = read(fd, buf + used, *body_at + want - used);
                if (n <= 0) return -1;
                used += (size_t)n;
            }
            *body_len = want;
            return 0;
        }
    }
}

/* Copies the value of header `name` (case-insensitive) into out; returns 0 when absent. */
static int header_value(const char *head, const char *name, char *out, size_t cap) {
    size_t len = strlen(name);
    const char *p = strstr(head, "\r\n");
    while (p != NULL && p[2] != '\r') {
        p += 2;
        if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
            const char *v = p + len + 1, *e = strstr(v, "\r\n");
            size_t n;
            while (*v == ' ' || *v == '\t') v++;
            n = (size_t)(e - v);
            if (n >= cap) n = cap - 1;
            memcpy(out, v, n);
            out[n] = 0;
            return 1;
        }
        p = strstr(p, "\r\n");
    }
    return 0;
}

/* Prints the registrations of this business; returns 0 when they cannot be listed. */
static int list_registrations(const connectly_client *client) {
    connectly_webhook_list *list = NULL;
    size_t i;
    connectly_status status = connectly_list_webhooks(client, &list);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "list: %s: %s\n", connectly_status_name(status),
                connectly_last_error_message());
        return 0;
    }
    for (i = 0; i < connectly_webhook_list_len(list); i++) {
        const char *topic = connectly_webhook_list_topic(list, i);
        const char *address = connectly_webhook_list_address(list, i);
        printf("registered: %s -> %s (id %s)\n", topic ? topic : "?", address ? address : "?",
               connectly_webhook_list_id(list, i));
    }
    connectly_webhook_list_free(list);
    return 1;
}

/* Deletes the registrations whose address is `url`; returns 0 when one cannot be. */
static int delete_registrations(const connectly_client *client, const char *url) {
    connectly_webhook_list *list = NULL;
    size_t i;
    int ok = connectly_list_webhooks(client, &list) == CONNECTLY_OK;
    for (i = 0; ok && i < connectly_webhook_list_len(list); i++) {
        const char *address = connectly_webhook_list_address(list, i);
        const char *id = connectly_webhook_list_id(list, i);
        if (address == NULL || strcmp(address, url) != 0) continue;
        ok = connectly_delete_webhook(client, id, NULL) == CONNECTLY_OK;
        if (ok) printf("deleted registration %s\n", id);
    }
    if (!ok) fprintf(stderr, "delete: %s\n", connectly_last_error_message());
    connectly_webhook_list_free(list);
    return ok;
}

/* Prints a verified event, typed by its topic; returns its kind: 1 a message, 2 a status. */
static int show(const connectly_event *event, connectly_status_tracker *tracker) {
    if (strcmp(connectly_event_topic(event), "delivery_status") == 0) {
        bool forward = false;
        const char *data = connectly_event_callback_data_json(event);
        connectly_status_tracker_advance(tracker, connectly_event_message_id(event),
                                         connectly_event_status(event), &forward);
        printf("verified delivery status: message %s is %s, callback data %s%s\n",
               connectly_event_message_id(event), connectly_event_status(event),
               data ? data : "(none)", forward ? "" : " (not news: already further)");
        if (connectly_event_error_code(event) != NULL) {
            printf("  failed: %s (trace id %s)\n", connectly_event_error_code(event),
                   connectly_event_error_trace_id(event) ? connectly_event_error_trace_id(event)
                                                         : "-");
        }
        return 2;
    }
    if (connectly_event_attachment_type(event) != NULL) {
        printf("verified delivery from %s (%s): attachment %s at %s\n",
               connectly_event_sender_id(event), connectly_event_sender_channel(event),
               connectly_event_attachment_type(event), connectly_event_attachment_url(event));
    } else {
        printf("verified delivery from %s (%s): %s\n", connectly_event_sender_id(event),
               connectly_event_sender_channel(event),
               connectly_event_text(event) ? connectly_event_text(event) : "(no text)");
    }
    return strcmp(connectly_event_topic(event), "messages") == 0 ? 1 : 0;
}

static void reply(int fd, int status, const char *text) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %lu\r\n"
                     "%sConnection: close\r\n\r\n%s",
                     status, status == 200 ? "OK" : "Refused", (unsigned long)strlen(text),
                     status == 405 ? "Allow: POST\r\n" : "", text);
    if (write(fd, head, (size_t)n) != n) perror("write");
}

int main(int argc, char **argv) {
    const char *secret = getenv("CONNECTLY_WEBHOOK_SECRET");
    const uint8_t *secrets[1];
    size_t lens[1];
    connectly_webhook *webhook = NULL;
    connectly_client *client = NULL;
    connectly_status_tracker *tracker = connectly_status_tracker_new();
    connectly_status status;
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    char url[64], *buf;
    int server, got_message = 0, got_status = 0, deleted;

    if (secret == NULL) {
        fprintf(stderr, "set CONNECTLY_WEBHOOK_SECRET\n");
        return 2;
    }
    secrets[0] = (const uint8_t *)secret;
    lens[0] = strlen(secret);
    status = connectly_webhook_new(secrets, lens, 1, &webhook);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "webhook: %s\n", connectly_last_error_message());
        return 1;
    }

    server = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (server < 0 || bind(server, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(server, 8) != 0 || getsockname(server, (struct sockaddr *)&addr, &addr_len) != 0) {
        perror("listen");
        return 1;
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%u/webhook", (unsigned)ntohs(addr.sin_port));

    status = connectly_client_new_from_env(&client);
    if (status == CONNECTLY_OK) status = connectly_upsert_webhook(client, url, "messages", NULL, NULL);
    if (status == CONNECTLY_OK) {
        status = connectly_upsert_webhook(client, url, "delivery_status", NULL, NULL);
    }
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "register: %s: %s\n", connectly_status_name(status),
                connectly_last_error_message());
        connectly_client_free(client);
        return 1;
    }
    printf("receiver at %s, registered for topics messages and delivery_status\n", url);
    if (!list_registrations(client)) {
        connectly_client_free(client);
        return 1;
    }
    fflush(stdout);
    if (argc > 1) {
        FILE *ready = fopen(argv[1], "w");
        if (ready == NULL) return 1;
        fprintf(ready, "%s\n", url);
        fclose(ready);
    }

    buf = malloc(MAX_REQUEST);
    if (buf == NULL) return 1;
    while (!got_message || !got_status) {
        size_t body_at = 0, body_len = 0;
        char signature[128], encoding[64];
        connectly_event *event = NULL;
        uint16_t answer = 500;
        int refused, fd = accept(server, NULL, NULL);
        if (fd < 0) continue;
        refused = read_request(fd, webhook, buf, MAX_REQUEST, &body_at, &body_len);
        if (refused < 0) {
            reply(fd, 400, "bad request\n");
        } else if (refused > 0) {
            reply(fd, refused, "refused\n");
        } else {
            int has_sig = header_value(buf, "x-connectly-hmac-sha256", signature, sizeof signature);
            int has_enc = header_value(buf, "content-encoding", encoding, sizeof encoding);
            status = connectly_webhook_receive(webhook, "POST", has_enc ? encoding : NULL,
                                               (const uint8_t *)buf + body_at, body_len,
                                               has_sig ? signature : NULL, &event, &answer);
            if (status == CONNECTLY_OK) {
                switch (show(event, tracker)) {
                case 1: got_message = 1; break;
                case 2: got_status = 1; break;
                default: break;
                }
                connectly_event_free(event);
                reply(fd, 200, "ok\n");
            } else {
                printf("refused a delivery (%u): %s: %s\n", (unsigned)answer,
                       connectly_status_name(status), connectly_last_error_message());
                reply(fd, answer, "refused\n");
            }
        }
        fflush(stdout);
        close(fd);
    }
    free(buf);
    close(server);
    deleted = delete_registrations(client, url);
    connectly_client_free(client);
    connectly_status_tracker_free(tracker);
    connectly_webhook_free(webhook);
    return deleted ? 0 : 1;
}
