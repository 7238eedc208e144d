/*
 * readall.c - the floor of section 1 of make bench: read every regular
 * file of a directory and do nothing else
 *
 *   readall [-t THREADS] DIR
 *
 * Each file is read the way --scan reads a message file (openat() on
 * the directory, read() into a 1 MiB buffer until a short read, close()),
 * by THREADS threads (default: one per processor, at most 8, as --scan),
 * file i by thread i % THREADS, after the directory is listed and its
 * names sorted by scanmsg_list(), as --scan lists it.  Prints "files=N
 * bytes=B seconds=S list_seconds=L" (S: the time of the reads; L: of the
 * listing and the sort) and exits 0; 1 when a file could not be read.
 * No bounce is parsed: a --scan of the same directory cannot take less
 * than S + L.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scanmsg.h"

#define READ_SIZE   (1u << 20)
#define THREADS_MAX 8

static char **names;
static size_t n_names;
static int dfd;

struct job {
	unsigned k, of;
	unsigned long long bytes;
	int failed;
};

/* reader - read files k, k + of, ... */
static void *reader(void *arg)
{
	struct job *j = arg;
	char *buf = malloc(READ_SIZE);
	size_t i;
	ssize_t r;
	int fd;

	if (!buf) {
		j->failed = 1;
		return NULL;
	}
	for (i = j->k; i < n_names; i += j->of) {
		fd = openat(dfd, names[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			j->failed = 1;
			continue;
		}
		while ((r = read(fd, buf, READ_SIZE)) > 0) {
			j->bytes += (unsigned long long)r;
			if ((size_t)r < READ_SIZE)
				break;
		}
		if (r < 0)
			j->failed = 1;
		close(fd);
	}
	free(buf);
	return NULL;
}

/* seconds - from a to b */
static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	struct job jobs[THREADS_MAX];
	pthread_t tid[THREADS_MAX];
	struct timespec l, a, b;
	char **all;
	size_t n_all, i;
	unsigned long long bytes = 0;
	long nproc = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = nproc < 1 ? 1 : nproc > THREADS_MAX ? THREADS_MAX
							       : (unsigned)nproc;
	unsigned k, started = 0;
	int o, failed = 0;

	while ((o = getopt(argc, argv, "t:")) != -1) {
		if (o != 't' || atoi(optarg) < 1 || atoi(optarg) > THREADS_MAX) {
			fprintf(stderr, "usage: readall [-t 1-%d] DIR\n",
				THREADS_MAX);
			return 2;
		}
		threads = (unsigned)atoi(optarg);
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: readall [-t 1-%d] DIR\n", THREADS_MAX);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &l);
	dfd = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || scanmsg_list(argv[optind], &all, &n_all) < 0) {
		perror(argv[optind]);
		return 1;
	}
	names = malloc((n_all ? n_all : 1) * sizeof(*names));
	if (!names)
		return 1;
	for (i = 0; i < n_all; i++) /* the regular files, in name order */
		if (scanmsg_type(all[i]) == DT_REG)
			names[n_names++] = all[i];
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (k = 0; k < threads; k++) {
		jobs[k] = (struct job){k, threads, 0, 0};
		if (pthread_create(&tid[k], NULL, reader, &jobs[k]) != 0)
			break;
		started++;
	}
	for (k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (k = 0; k < started; k++) {
		bytes += jobs[k].bytes;
		failed |= jobs[k].failed;
	}
	if (started < threads)
		failed = 1;
	printf("files=%zu bytes=%llu seconds=%.6f list_seconds=%.6f\n", n_names,
	       bytes, seconds(&a, &b), seconds(&l, &a));
	return failed;
}
