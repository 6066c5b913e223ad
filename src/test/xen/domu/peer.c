/*
 * peer.c - the peer domain of XenDomuIT: runs in a busybox PV domU and does what dom0 asks,
 * with Xen's own libraries (libxengnttab, libxenevtchn, libxenstore) and, for grants made by the
 * domU itself, /dev/xen/gntalloc.
 *
 * dom0 writes a request to the domU's own xenstore directory, data/req = "SEQ OP ARGS...", and
 * waits for data/rsp = "SEQ ok ..." or "SEQ error ...". Requests:
 *   map SLOT rw|r GREF...   xengnttab_map_domain_grant_refs of dom0's grefs, as one mapping
 *   read SLOT OFF LEN       the bytes there, as text ('.' for the unprintable ones)
 *   write SLOT OFF TEXT     stores TEXT there
 *   unmap SLOT
 *   bind PORT               xenevtchn_bind_interdomain(0, PORT): the local port
 *   event SLOT OFF WAIT_S   waits for an event on the bound port that comes with byte OFF of
 *                           SLOT cleared (Xen raises one at bind time, while the byte is still set)
 *   grant SLOT PAGES TEXT   grants PAGES pages to dom0 through gntalloc, "TEXT page N" at the start
 *                           of page N: the grefs
 *   exit
 * Every wait is bounded; with no request for LIFETIME_S the program exits 2.
 *
 * Build: gcc -O2 -Wall -o peer peer.c -lxengnttab -lxenevtchn -lxenstore
 * Usage: peer LIFETIME_S
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xen/gntalloc.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define SLOTS 10
#define PAGE 4096
#define MAX_PAGES 64

struct slot {
    uint8_t *pages;
    unsigned count;
    int granted; /* made by this domain through gntalloc, not mapped from dom0 */
};

static struct slot slots[SLOTS];
static struct xs_handle *xs;
static xengnttab_handle *xgt;
static xenevtchn_handle *xce;
static int gntalloc = -1;
static int local_port = -1;
static char dir[64];
static char answer[8192];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *reply(const char *format, ...) __attribute__((format(printf, 1, 2)));
static const char *reply(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(answer, sizeof answer, format, args);
    va_end(args);
    return answer;
}

static const char *failure(const char *what)
{
    return reply("error %s: %s", what, strerror(errno));
}

static struct slot *slot_at(const char *word)
{
    int n = atoi(word);
    return n >= 0 && n < SLOTS ? &slots[n] : NULL;
}

/* The slot's bytes [off, off + len), or NULL when they are not all mapped. */
static uint8_t *span(struct slot *s, unsigned long off, unsigned long len)
{
    return s && s->pages && off + len <= (unsigned long)s->count * PAGE ? s->pages + off : NULL;
}

static const char *map(char **argv, int argc)
{
    struct slot *s = slot_at(argv[1]);
    uint32_t refs[MAX_PAGES];
    unsigned count = 0;
    if (!s || s->pages || argc < 4 || argc - 3 > MAX_PAGES)
        return reply("error usage: map SLOT rw|r GREF...");
    for (int i = 3; i < argc; i++)
        refs[count++] = (uint32_t)strtoul(argv[i], NULL, 10);
    int prot = strcmp(argv[2], "rw") == 0 ? PROT_READ | PROT_WRITE : PROT_READ;
    s->pages = xengnttab_map_domain_grant_refs(xgt, count, 0, refs, prot);
    if (!s->pages)
        return failure("xengnttab_map_domain_grant_refs");
    s->count = count;
    s->granted = 0;
    return reply("ok mapped %u", count);
}

static const char *unmap(struct slot *s)
{
    if (!s || !s->pages)
        return reply("error nothing mapped there");
    int rc;
    if (s->granted) {
        rc = munmap(s->pages, (size_t)s->count * PAGE);
    } else {
        rc = xengnttab_unmap(xgt, s->pages, s->count);
    }
    s->pages = NULL;
    return rc ? failure("unmap") : reply("ok");
}

static const char *grant(struct slot *s, unsigned pages, const char *text)
{
    if (!s || s->pages || pages == 0 || pages > MAX_PAGES)
        return reply("error usage: grant SLOT PAGES TEXT");
    if (gntalloc < 0 && (gntalloc = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC)) < 0)
        return failure("open /dev/xen/gntalloc");
    struct ioctl_gntalloc_alloc_gref *request = calloc(1, sizeof *request + pages * sizeof(uint32_t));
    request->domid = 0;
    request->flags = GNTALLOC_FLAG_WRITABLE;
    request->count = pages;
    if (ioctl(gntalloc, IOCTL_GNTALLOC_ALLOC_GREF, request)) {
        free(request);
        return failure("IOCTL_GNTALLOC_ALLOC_GREF");
    }
    s->pages = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, gntalloc, request->index);
    if (s->pages == MAP_FAILED) {
        s->pages = NULL;
        free(request);
        return failure("mmap of gntalloc");
    }
    s->count = pages;
    s->granted = 1;
    int at = snprintf(answer, sizeof answer, "ok");
    for (unsigned i = 0; i < pages; i++) {
        snprintf((char *)s->pages + (size_t)i * PAGE, PAGE, "%s page %u", text, i);
        at += snprintf(answer + at, sizeof answer - at, " %u", request->gref_ids[i]);
    }
    free(request);
    return answer;
}

static const char *await_event(struct slot *s, unsigned long off, double wait_s)
{
    volatile uint8_t *byte = span(s, off, 1);
    if (!byte || local_port < 0)
        return reply("error usage: bind first, then event SLOT OFF WAIT_S on a mapped slot");
    struct pollfd pfd = {.fd = xenevtchn_fd(xce), .events = POLLIN};
    int early = 0;
    for (double start = now(); now() - start < wait_s;) {
        if (poll(&pfd, 1, 200) != 1)
            continue;
        int port = xenevtchn_pending(xce);
        if (port < 0)
            continue;
        xenevtchn_unmask(xce, port);
        if (port != local_port)
            continue;
        if (*byte == 0)
            return reply("ok event on port %d, byte %lu is 0, %d early event(s)", port, off, early);
        early++;
    }
    return reply("error no event with byte %lu cleared within %.0f s (byte is 0x%02x, %d early event(s))", off,
                 wait_s, *byte, early);
}

static const char *serve(char *request, int *done)
{
    char *argv[MAX_PAGES + 4];
    int argc = 0;
    char *rest = request;
    /* write's TEXT is the rest of the line, spaces included */
    while (argc < MAX_PAGES + 3 && (argv[argc] = strsep(&rest, " ")) != NULL) {
        if (argc == 3 && strcmp(argv[0], "write") == 0 && rest) {
            argv[argc][strlen(argv[argc])] = ' ';
            rest = NULL;
        }
        argc++;
    }
    if (argc == 0)
        return reply("error empty request");
    const char *op = argv[0];
    if (!strcmp(op, "map"))
        return map(argv, argc);
    if (!strcmp(op, "unmap") && argc == 2)
        return unmap(slot_at(argv[1]));
    if (!strcmp(op, "read") && argc == 4) {
        unsigned long off = strtoul(argv[2], NULL, 10), len = strtoul(argv[3], NULL, 10);
        uint8_t *at = span(slot_at(argv[1]), off, len);
        if (!at || len > sizeof answer - 8)
            return reply("error not mapped there");
        int n = snprintf(answer, sizeof answer, "ok ");
        for (unsigned long i = 0; i < len; i++)
            answer[n + i] = at[i] >= 32 && at[i] < 127 ? (char)at[i] : '.';
        answer[n + len] = 0;
        return answer;
    }
    if (!strcmp(op, "write") && argc == 4) {
        unsigned long off = strtoul(argv[2], NULL, 10), len = strlen(argv[3]);
        uint8_t *at = span(slot_at(argv[1]), off, len);
        if (!at)
            return reply("error not mapped there");
        memcpy(at, argv[3], len);
        __sync_synchronize();
        return reply("ok");
    }
    if (!strcmp(op, "bind") && argc == 2) {
        local_port = xenevtchn_bind_interdomain(xce, 0, (uint32_t)atoi(argv[1]));
        return local_port < 0 ? failure("xenevtchn_bind_interdomain") : reply("ok %d", local_port);
    }
    if (!strcmp(op, "event") && argc == 4)
        return await_event(slot_at(argv[1]), strtoul(argv[2], NULL, 10), atof(argv[3]));
    if (!strcmp(op, "grant") && argc == 4)
        return grant(slot_at(argv[1]), (unsigned)atoi(argv[2]), argv[3]);
    if (!strcmp(op, "exit")) {
        *done = 1;
        return reply("ok");
    }
    return reply("error unknown request '%s'", op);
}

static char *xs_get(const char *key)
{
    char path[128];
    unsigned len;
    snprintf(path, sizeof path, "%s/%s", dir, key);
    return xs_read(xs, XBT_NULL, path, &len);
}

int main(int argc, char **argv)
{
    double lifetime = argc > 1 ? atof(argv[1]) : 600;
    unsigned len;
    setvbuf(stdout, NULL, _IOLBF, 0);
    xs = xs_open(0);
    xgt = xengnttab_open(NULL, 0);
    xce = xenevtchn_open(NULL, 0);
    if (!xs || !xgt || !xce) {
        printf("PEER: cannot open xenstore, gntdev or evtchn: %s\n", strerror(errno));
        return 1;
    }
    char *me = xs_read(xs, XBT_NULL, "domid", &len);
    if (!me) {
        printf("PEER: xs_read domid: %s\n", strerror(errno));
        return 1;
    }
    snprintf(dir, sizeof dir, "/local/domain/%s/data", me);
    char path[128];
    snprintf(path, sizeof path, "%s/peer", dir);
    xs_write(xs, XBT_NULL, path, "up", 2);
    printf("PEER: domid %s, serving %s/req\n", me, dir);

    long last = 0;
    int done = 0;
    for (double idle = now(); !done && now() - idle < lifetime; usleep(20000)) {
        char *request = xs_get("req");
        char *space = request ? strchr(request, ' ') : NULL;
        long seq = request ? strtol(request, NULL, 10) : 0;
        if (space && seq > last) {
            last = seq;
            printf("PEER: %ld %s\n", seq, space + 1);
            const char *result = serve(space + 1, &done);
            printf("PEER: %ld -> %.200s\n", seq, result);
            char rsp[sizeof answer + 32];
            int n = snprintf(rsp, sizeof rsp, "%ld %s", seq, result);
            snprintf(path, sizeof path, "%s/rsp", dir);
            if (!xs_write(xs, XBT_NULL, path, rsp, (unsigned)n))
                printf("PEER: xs_write %s: %s\n", path, strerror(errno));
            idle = now();
        }
        free(request);
    }
    printf("PEER: %s\n", done ? "done" : "no request for too long");
    return done ? 0 : 2;
}
