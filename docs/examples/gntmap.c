/*
 * gntmap: map a gntfs region's granted pages directly (docs/direct-mapping.md).
 *
 *   cc -O2 -o gntmap gntmap.c
 *   gntmap /run/gnt/ring            prints size, domid, grefs and the region's first bytes
 *   gntmap /run/gnt/ring hello      also stores "hello" at offset 0: the peer sees it at once
 *
 * The socket is the mount root's user.gnt.socket. The request is the region's own descriptor,
 * opened here O_RDONLY or O_RDWR as any file is (the kernel's open decides), sent with the line
 * "map v2"; on a Xen mount this process's own O_RDWR open of /dev/xen/gntalloc goes with it. The
 * answer's descriptors come with its lines (at most 253 a message); each segment names one and is
 * mapped into one reserved range, so the region is contiguous here. Regions of up to about
 * 100,000 pages: the answer, with a gref per page, must fit ANSWER_MAX.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#define MAX_FDS 4096

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

/* Receives more of the answer, keeping the descriptors that come with it. */
static ssize_t receive(int sock, char *into, size_t room, int *fds, int *nfds) {
    union {
        char bytes[CMSG_SPACE(253 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec buffer = {into, room};
    struct msghdr message = {.msg_iov = &buffer, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(sock, &message, MSG_CMSG_CLOEXEC);
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); n > 0 && header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            int count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (int i = 0; i < count; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof fd);
                if (*nfds < MAX_FDS)
                    fds[(*nfds)++] = fd;
                else
                    close(fd);
            }
        }
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gntmap PATH [TEXT]\n");
        return 2;
    }
    int write = argc == 3;
    char root[PATH_MAX], socket_path[108];
    if (find_socket(argv[1], root, socket_path) < 0)
        die("no gntfs direct-mapping socket for that path");

    /* The request: the region's own open, and on Xen this process's own open of gntalloc. */
    int sent[2], nsent = 0;
    if ((sent[nsent++] = open(argv[1], (write ? O_RDWR : O_RDONLY) | O_CLOEXEC)) < 0)
        die(argv[1]);
    char backend[16] = "";
    ssize_t backend_length = getxattr(root, "user.gnt.backend", backend, sizeof backend - 1);
    if (backend_length > 0 && strncmp(backend, "xen", backend_length) == 0 &&
        (sent[nsent++] = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC)) < 0)
        die("/dev/xen/gntalloc");

    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    memcpy(address.sun_path, socket_path, strlen(socket_path) + 1);
    if (sock < 0 || connect(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die(socket_path);

    union {
        char bytes[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } request_control;
    char request[] = "map v2\n";
    struct iovec request_buffer = {request, sizeof request - 1};
    struct msghdr request_message = {.msg_iov = &request_buffer, .msg_iovlen = 1,
                                     .msg_control = &request_control, .msg_controllen = CMSG_SPACE(nsent * sizeof(int))};
    struct cmsghdr *rights = CMSG_FIRSTHDR(&request_message);
    rights->cmsg_level = SOL_SOCKET;
    rights->cmsg_type = SCM_RIGHTS;
    rights->cmsg_len = CMSG_LEN(nsent * sizeof(int));
    memcpy(CMSG_DATA(rights), sent, nsent * sizeof(int));
    if (sendmsg(sock, &request_message, MSG_NOSIGNAL) != (ssize_t)sizeof request - 1)
        die("sendmsg");
    for (int i = 0; i < nsent; i++)
        close(sent[i]); /* the daemon identified the region from its own copy */

    static char answer[ANSWER_MAX];
    static int fds[MAX_FDS];
    int nfds = 0;
    size_t got = 0;
    answer[0] = '\0';
    while (strncmp(answer, "error ", 6) != 0 && !strstr(answer, "\nend\n")) {
        if (got == sizeof answer - 1) {
            fprintf(stderr, "gntmap: the answer is longer than %d bytes\n", ANSWER_MAX);
            return 1;
        }
        ssize_t n = receive(sock, answer + got, sizeof answer - 1 - got, fds, &nfds);
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
    int domid, count;
    char access[3];
    if (sscanf(answer, "ok %llu %d %2s %d", &size, &domid, access, &count) != 4 || count != nfds) {
        fprintf(stderr, "gntmap: not an answer of gntfs\n");
        return 1;
    }
    size_t mapped = (size + 4095) / 4096 * 4096;
    char *base = mmap(NULL, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        die("mmap");
    for (char *line = strstr(answer, "\nsegment "); line; line = strstr(line + 1, "\nsegment ")) {
        unsigned long long start, bytes, at;
        int which;
        if (sscanf(line, "\nsegment %llu %llu %d %llu", &start, &bytes, &which, &at) != 4 || which < 0 || which >= nfds) {
            fprintf(stderr, "gntmap: not an answer of gntfs\n");
            return 1;
        }
        if (mmap(base + start, bytes, PROT_READ | (write ? PROT_WRITE : 0), MAP_SHARED | MAP_FIXED, fds[which], at) == MAP_FAILED)
            die("mmap segment");
    }
    for (int i = 0; i < nfds; i++)
        close(fds[i]);

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
