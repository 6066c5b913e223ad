/*
 * gntmap: map a gntfs region's granted pages directly (docs/direct-mapping.md).
 *
 *   cc -O2 -o gntmap gntmap.c
 *   gntmap /run/gnt/ring            prints size, domid, grefs and the region's first bytes
 *   gntmap /run/gnt/ring hello      also stores "hello" at offset 0: the peer sees it at once
 *
 * The socket is the mount root's user.gnt.socket. The answer's descriptor comes with its first
 * line; each segment is mapped into one reserved range, so the region is contiguous here.
 * Regions of up to about 100,000 pages: the answer, with a gref per page, must fit ANSWER_MAX.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ANSWER_MAX (1 << 20)

static void die(const char *what) { perror(what); exit(1); }

/* Whether dir is a mount point: its parent is on another device. */
static int is_mount_point(const char *dir) {
    char parent[PATH_MAX + 4];
    struct stat here, up;
    snprintf(parent, sizeof parent, "%s/..", dir);
    return stat(dir, &here) == 0 && stat(parent, &up) == 0 && (here.st_dev != up.st_dev || here.st_ino == up.st_ino);
}

/*
 * Walks up from the region's directory to the mount root, the mount point that names the socket
 * (a directory below it cannot carry that name: gntfs refuses it there).
 */
static int find_socket(const char *region, char *root, char *socket_path) {
    char *slash;
    if (!realpath(region, root))
        return -1;
    while ((slash = strrchr(root, '/')) != NULL) {
        if (slash == root) {
            root[1] = '\0';
        } else {
            *slash = '\0';
        }
        if (is_mount_point(root)) {
            ssize_t n = getxattr(root, "user.gnt.socket", socket_path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
            if (n > 0) {
                socket_path[n] = '\0';
                return 0;
            }
            break;
        }
        if (slash == root)
            break;
    }
    errno = ENOTSUP;
    return -1;
}

/* Writes the path as the protocol wants it: a backslash, newline or tab as \ooo. */
static size_t escape(const char *path, char *out, size_t room) {
    size_t n = 0;
    for (; *path && n + 5 < room; path++) {
        if (*path == '\\' || *path == '\n' || *path == '\t') {
            n += snprintf(out + n, room - n, "\\%03o", (unsigned char)*path);
        } else {
            out[n++] = *path;
        }
    }
    out[n] = '\0';
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gntmap PATH [TEXT]\n");
        return 2;
    }
    int write = argc == 3;
    char real[PATH_MAX], root[PATH_MAX], socket_path[108];
    if (!realpath(argv[1], real))
        die(argv[1]);
    if (find_socket(argv[1], root, socket_path) < 0)
        die("no gntfs direct-mapping socket for that path");

    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    memcpy(address.sun_path, socket_path, strlen(socket_path) + 1);
    if (sock < 0 || connect(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die(socket_path);

    /* The path under the root. */
    const char *inside = real + (strcmp(root, "/") == 0 ? 0 : strlen(root));
    char escaped[4 * PATH_MAX], request[4 * PATH_MAX + 16];
    escape(*inside ? inside : "/", escaped, sizeof escaped);
    int length = snprintf(request, sizeof request, "map %s %s\n", write ? "rw" : "r", escaped);
    if (send(sock, request, length, MSG_NOSIGNAL) != length)
        die("send");

    static char answer[ANSWER_MAX];
    size_t got = 0;
    int fd = -1;
    union {
        char bytes[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec buffer = {answer, sizeof answer - 1};
    struct msghdr message = {.msg_iov = &buffer, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(sock, &message, MSG_CMSG_CLOEXEC);
    if (n <= 0)
        die("recvmsg");
    got = n;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (header && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS && !(message.msg_flags & MSG_CTRUNC))
        memcpy(&fd, CMSG_DATA(header), sizeof fd);
    answer[got] = '\0';
    while (strncmp(answer, "error ", 6) != 0 && !strstr(answer, "\nend\n")) {
        if (got == sizeof answer - 1) {
            fprintf(stderr, "gntmap: the answer is longer than %d bytes\n", ANSWER_MAX);
            return 1;
        }
        n = recv(sock, answer + got, sizeof answer - 1 - got, 0);
        if (n <= 0) {
            fprintf(stderr, "gntmap: the daemon closed the connection before it answered\n");
            return 1;
        }
        got += n;
        answer[got] = '\0';
    }
    if (strncmp(answer, "error ", 6) == 0) {
        fprintf(stderr, "gntmap: %s: %s (errno %d)\n", argv[1], strtok(strchr(answer + 6, ' ') + 1, "\n"), atoi(answer + 6));
        return 1;
    }

    unsigned long long size;
    int domid;
    if (fd < 0 || sscanf(answer, "ok %llu %d", &size, &domid) != 2) {
        fprintf(stderr, "gntmap: not an answer of gntfs\n");
        return 1;
    }
    size_t mapped = (size + 4095) / 4096 * 4096;
    char *base = mmap(NULL, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        die("mmap");
    for (char *line = strstr(answer, "\nsegment "); line; line = strstr(line + 1, "\nsegment ")) {
        unsigned long long start, bytes, at;
        sscanf(line, "\nsegment %llu %llu %llu", &start, &bytes, &at);
        if (mmap(base + start, bytes, PROT_READ | (write ? PROT_WRITE : 0), MAP_SHARED | MAP_FIXED, fd, at) == MAP_FAILED)
            die("mmap segment");
    }
    close(fd);

    printf("size %llu\ndomid %d\n", size, domid);
    char *grefs = strstr(answer, "\ngrefs");
    printf("%.*s\n", (int)strcspn(grefs + 1, "\n"), grefs + 1);
    if (write)
        memcpy(base, argv[2], strnlen(argv[2], size));
    printf("bytes %.*s\n", (int)strnlen(base, size < 64 ? size : 64), base);

    munmap(base, mapped);
    close(sock); /* ends the mapping's hold on the region */
    return 0;
}
