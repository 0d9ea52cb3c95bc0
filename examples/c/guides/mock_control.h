/*
 * mock_control.h: test scaffolding the C guides share, shown on no page. A request to the
 * mock Connectly's control endpoints (GET /_mock/requests, POST /_mock/fail, POST
 * /_mock/reset, ...), written by hand over a socket to 127.0.0.1, where the mock serves, so
 * that a guide needs no HTTP library to script failures or read what the mock received.
 *
 * Each guide is compiled alone and includes this once, so the functions are static; they are
 * also inline, so that a guide using only one of them compiles without unused-function
 * warnings. C99 and POSIX (built with -D_POSIX_C_SOURCE=200809L).
 */
#ifndef CONNECTLY_GUIDES_MOCK_CONTROL_H
#define CONNECTLY_GUIDES_MOCK_CONTROL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One request to the mock at `base_url` (http://127.0.0.1:PORT), with its `api_key`; `body`
 * is sent as it is ("" for none). Returns the HTTP status, or -1 when there was no answer.
 * When `reply` is not NULL it is set to the answer's body (free it), or to NULL. */
static inline int mock_control_request(const char *base_url, const char *api_key,
                                       const char *method, const char *path, const char *body,
                                       char **reply) {
    const char *port = base_url != NULL ? strrchr(base_url, ':') : NULL;
    struct sockaddr_in addr;
    char head[512], *text = NULL, *start;
    size_t used = 0, cap = 0;
    int fd, n, status = -1;
    if (reply != NULL) *reply = NULL;
    if (port == NULL || api_key == NULL) return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(port + 1));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    n = snprintf(head, sizeof head,
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\nContent-Length: %lu\r\n"
                 "Connection: close\r\n\r\n%s",
                 method, path, api_key, (unsigned long)strlen(body), body);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || n < 0 || (size_t)n >= sizeof head ||
        connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        write(fd, head, (size_t)n) != n) {
        if (fd >= 0) close(fd);
        return -1;
    }
    for (;;) { /* to the end: the mock closes the connection once it has answered */
        ssize_t got;
        if (cap - used < 4096) {
            char *bigger = realloc(text, cap += 65536);
            if (bigger == NULL) break;
            text = bigger;
        }
        got = read(fd, text + used, cap - used - 1);
        if (got <= 0) break;
        used += (size_t)got;
    }
    close(fd);
    if (text == NULL) return -1;
    text[used] = 0;
    if (sscanf(text, "HTTP/1.%*d %d", &status) != 1) status = -1;
    start = strstr(text, "\r\n\r\n");
    if (reply != NULL && start != NULL) {
        memmove(text, start + 4, strlen(start + 4) + 1);
        *reply = text;
    } else {
        free(text);
    }
    return status;
}

/* The same, to the mock the environment names: CONNECTLY_BASE_URL, with CONNECTLY_API_KEY
 * (what the guides' runner gives every program). */
static inline int mock_control_env(const char *method, const char *path, const char *body,
                                   char **reply) {
    return mock_control_request(getenv("CONNECTLY_BASE_URL"), getenv("CONNECTLY_API_KEY"),
                                method, path, body, reply);
}

#endif /* CONNECTLY_GUIDES_MOCK_CONTROL_H */
