/*
 * exec.c - the alert.exec hook: the event as JSON and variables, one run
 * of the admin's program, and the spool that makes each run happen once
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* localtime_r */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "exec.h"
#include "log.h"
#include "runmail.h"
#include "util.h"

#define EXEC_PATH   "PATH=/usr/local/bin:/usr/bin:/bin"
#define BACKOFF_MAX 3600
#define NAME_MAX_B  4096

/* exec_env_init - PATH only */
void exec_env_init(struct exec_env *env)
{
	memset(env, 0, sizeof(*env));
	util_strcpy(env->text[0], sizeof(env->text[0]), EXEC_PATH);
	env->envp[0] = env->text[0];
	env->n = 1;
}

/* exec_env_add - one MILTER_DELIST_ variable, one line */
void exec_env_add(struct exec_env *env, const char *name, const char *value)
{
	char *t;
	int n;

	if (env->n >= EXEC_ENV_MAX)
		return;
	t = env->text[env->n];
	n = snprintf(t, EXEC_ENV_VALUE_MAX, "MILTER_DELIST_%s=", name);
	if (n < 0 || n >= EXEC_ENV_VALUE_MAX)
		return;
	util_clean(t + n, EXEC_ENV_VALUE_MAX - (size_t)n, value ? value : "",
		   value ? strlen(value) : 0);
	env->envp[env->n++] = t;
	env->envp[env->n] = NULL;
}

/* jkv - ,"key":"value" (first: no comma) */
static void jkv(struct buf *b, const char *key, const char *v)
{
	if (b->len > 1)
		buf_addc(b, ',');
	event_json_string(b, key, strlen(key));
	buf_addc(b, ':');
	event_json_string(b, v ? v : "", v ? strlen(v) : 0);
}

/* jtime - ,"key":"ISO" or null */
static void jtime(struct buf *b, const char *key, time_t t)
{
	char iso[64];

	if (*event_iso_time(t, iso, sizeof(iso)))
		jkv(b, key, iso);
	else
		buf_printf(b, ",\"%s\":null", key);
}

/* exec_incident_event - JSON and variables of a life-cycle event */
void exec_incident_event(struct buf *json, struct exec_env *env,
			 const char *name, const struct incident *inc,
			 time_t now)
{
	const char *code = inc->n_codes ? inc->codes[inc->n_codes - 1] : "";
	const char *reply = incident_longest_sample(inc);
	char iso[64], num[32], domains[EXEC_ENV_VALUE_MAX];
	size_t i, dl = 0;

	buf_addc(json, '{');
	jkv(json, "event", name);
	jtime(json, "time", now);
	buf_printf(json, ",\"incident\":%llu", (unsigned long long)inc->id);
	jkv(json, "ip", inc->ip);
	buf_printf(json, ",\"ip_inferred\":%s",
		   inc->ip_inferred ? "true" : "false");
	jkv(json, "provider", verdict_provider_name(inc->provider));
	jkv(json, "provider_label", verdict_provider_label(inc->provider));
	jkv(json, "kind", verdict_kind_name(inc->kind));
	jkv(json, "code", code);
	buf_puts(json, ",\"codes\":[");
	for (i = 0; i < inc->n_codes; i++) {
		if (i)
			buf_addc(json, ',');
		event_json_string(json, inc->codes[i], strlen(inc->codes[i]));
	}
	buf_addc(json, ']');
	jkv(json, "state", incident_state_name(inc->state));
	jtime(json, "first_seen", inc->first_seen);
	jtime(json, "last_seen", inc->last_seen);
	buf_printf(json, ",\"refused\":%lu,\"deferred\":%lu", inc->bounced,
		   inc->deferred);
	buf_puts(json, ",\"domains\":[");
	domains[0] = '\0';
	for (i = 0; i < inc->n_domains; i++) {
		if (i)
			buf_addc(json, ',');
		event_json_string(json, inc->domains[i],
				  strlen(inc->domains[i]));
		if (dl < sizeof(domains))
			dl += (size_t)snprintf(domains + dl,
					       sizeof(domains) - dl, "%s%s",
					       i ? "," : "", inc->domains[i]);
	}
	buf_addc(json, ']');
	jkv(json, "remedy", verdict_remedy_name(inc->remedy));
	jkv(json, "remedy_url", verdict_remedy_url(inc->remedy));
	jkv(json, "last_reply", reply ? reply : "");
	buf_addc(json, '}');

	exec_env_init(env);
	exec_env_add(env, "EVENT", name);
	event_iso_time(now, iso, sizeof(iso));
	exec_env_add(env, "TIME", iso);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)inc->id);
	exec_env_add(env, "INCIDENT", num);
	exec_env_add(env, "IP", inc->ip);
	exec_env_add(env, "PROVIDER", verdict_provider_name(inc->provider));
	exec_env_add(env, "KIND", verdict_kind_name(inc->kind));
	exec_env_add(env, "CODE", code);
	exec_env_add(env, "STATE", incident_state_name(inc->state));
	event_iso_time(inc->first_seen, iso, sizeof(iso));
	exec_env_add(env, "FIRST_SEEN", iso);
	snprintf(num, sizeof(num), "%lu", inc->bounced);
	exec_env_add(env, "REFUSED", num);
	snprintf(num, sizeof(num), "%lu", inc->deferred);
	exec_env_add(env, "DEFERRED", num);
	exec_env_add(env, "DOMAINS", domains);
	exec_env_add(env, "REMEDY_URL", verdict_remedy_url(inc->remedy));
	exec_env_add(env, "REPLY", reply ? reply : "");
}

/* exec_finding_event - JSON and variables of a finding event */
void exec_finding_event(struct buf *json, struct exec_env *env,
			const char *name, const struct finding *f,
			uint64_t incident)
{
	char iso[64], num[32];

	if (!name)
		name = event_name(f);
	buf_addc(json, '{');
	jkv(json, "event", name);
	jtime(json, "time", f->when);
	if (incident)
		buf_printf(json, ",\"incident\":%llu",
			   (unsigned long long)incident);
	else
		buf_puts(json, ",\"incident\":null");
	jkv(json, "ip", f->v.ip);
	jkv(json, "provider", verdict_provider_name(f->v.provider));
	jkv(json, "kind", verdict_kind_name(f->v.kind));
	jkv(json, "code", f->v.code);
	jkv(json, "rcpt_domain", f->rcpt_domain);
	jkv(json, "remote_mta", f->remote_mta);
	jkv(json, "source", finding_source_name(f->source));
	jkv(json, "queue_id", f->queue_id);
	buf_puts(json, ",\"reply\":");
	event_json_string(json, f->text, f->text_len);
	buf_addc(json, '}');

	exec_env_init(env);
	exec_env_add(env, "EVENT", name);
	event_iso_time(f->when, iso, sizeof(iso));
	exec_env_add(env, "TIME", iso);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)incident);
	exec_env_add(env, "INCIDENT", incident ? num : "");
	exec_env_add(env, "IP", f->v.ip);
	exec_env_add(env, "PROVIDER", verdict_provider_name(f->v.provider));
	exec_env_add(env, "KIND", verdict_kind_name(f->v.kind));
	exec_env_add(env, "CODE", f->v.code);
	exec_env_add(env, "RCPT_DOMAIN", f->rcpt_domain);
	exec_env_add(env, "SOURCE", finding_source_name(f->source));
	exec_env_add(env, "QUEUE_ID", f->queue_id);
	if (f->text && f->text_len) {
		char reply[EXEC_ENV_VALUE_MAX];

		util_copy(reply, sizeof(reply), f->text, f->text_len);
		exec_env_add(env, "REPLY", reply);
	} else {
		exec_env_add(env, "REPLY", "");
	}
}

/* exec_run - one run of program */
int exec_run(const char *program, const char *json, size_t len,
	     char *const envp[], time_t timeout, const char *pending,
	     const char *marker, char *err, size_t errlen)
{
	char *argv[2];
	char *msg;
	int r;

	argv[0] = (char *)program;
	argv[1] = NULL;
	msg = malloc(len + 1);
	if (!msg) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	memcpy(msg, json, len);
	msg[len] = '\n';
	r = run_program_marked(argv, envp, msg, len + 1, timeout, pending,
			       marker, err, errlen);
	free(msg);
	return r;
}

/* ---- the spool ---- */

struct job_state {
	unsigned long long seq;
	unsigned attempts;
	time_t next;
};

struct exec_spool {
	char dir[NAME_MAX_B];
	atomic_ullong seq; /* the next job's number */
	size_t n_state;	   /* back-off of the jobs that failed */
	struct job_state st[EXEC_SPOOL_MAX];
	unsigned long long seqs[EXEC_SPOOL_MAX]; /* scratch of one pass */
};

/* job_path - dir/N.suffix */
static int job_path(const struct exec_spool *s, unsigned long long seq,
		    const char *suffix, char *dst, size_t size)
{
	int n = snprintf(dst, size, "%s/%020llu.%s", s->dir, seq, suffix);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* parse_name - N and the suffix of "N.suffix"; 0 or -1 */
static int parse_name(const char *name, unsigned long long *seq,
		      const char **suffix)
{
	char *end;

	if (name[0] < '0' || name[0] > '9')
		return -1;
	errno = 0;
	*seq = strtoull(name, &end, 10);
	if (errno || *end != '.')
		return -1;
	*suffix = end + 1;
	return 0;
}

/* cmp_seq - qsort by number */
static int cmp_seq(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* list - the numbers of the files with suffix, sorted (the first max of
 * them kept in out); how many there are, or -1 with errno.  top: raised
 * above every number seen */
static int list(const struct exec_spool *s, const char *suffix,
		unsigned long long *out, size_t max, unsigned long long *top)
{
	struct dirent *d;
	const char *suf;
	unsigned long long seq;
	size_t n = 0, total = 0;
	DIR *dir;

	dir = opendir(s->dir);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (parse_name(d->d_name, &seq, &suf) < 0)
			continue;
		if (top && seq >= *top)
			*top = seq + 1;
		if (!suffix || strcmp(suf, suffix) != 0)
			continue;
		total++;
		if (n < max)
			out[n++] = seq;
	}
	closedir(dir);
	qsort(out, n, sizeof(*out), cmp_seq);
	return total > INT_MAX ? INT_MAX : (int)total;
}

/* exec_spool_new - open (make) the spool directory */
struct exec_spool *exec_spool_new(const char *dir)
{
	struct exec_spool *s = calloc(1, sizeof(*s));
	unsigned long long top = 1, dummy;
	int e;

	if (!s)
		return NULL;
	char keys[NAME_MAX_B];

	if (util_strcpy(s->dir, sizeof(s->dir), dir) != strlen(dir) ||
	    (mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    snprintf(keys, sizeof(keys), "%s/keys", dir) >= (int)sizeof(keys) ||
	    (mkdir(keys, 0700) < 0 && errno != EEXIST) ||
	    list(s, NULL, &dummy, 0, &top) < 0) {
		e = errno ? errno : ENAMETOOLONG;
		free(s);
		errno = e;
		return NULL;
	}
	atomic_store(&s->seq, top);
	return s;
}

/* exec_spool_free - release */
void exec_spool_free(struct exec_spool *s)
{
	free(s);
}

/* write_job - the job file's text */
static int write_job(int fd, const char *json, const struct exec_env *env)
{
	struct buf b;
	ssize_t w;
	size_t i, done = 0;
	int r = -1;

	buf_init(&b);
	b.max = EXEC_JOB_MAX;
	buf_puts(&b, json);
	buf_addc(&b, '\n');
	for (i = 1; i < env->n; i++) { /* PATH is ours, not the job's */
		buf_puts(&b, env->envp[i]);
		buf_addc(&b, '\n');
	}
	if (b.err) {
		errno = b.err;
		goto out;
	}
	while (done < b.len) {
		w = write(fd, b.data + done, b.len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		done += (size_t)w;
	}
	r = 0;
out:
	buf_free(&b);
	return r;
}

/* key_ok - a key is [A-Za-z0-9._-], 1 to EXEC_KEY_MAX bytes, no
 * leading dot */
static int key_ok(const char *key)
{
	size_t n = strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
			       "vwxyz0123456789._-");

	return n > 0 && n <= EXEC_KEY_MAX && !key[n] && key[0] != '.';
}

/* sync_dir - fsync a directory, quietly */
static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* exec_spool_add - one owed run, durable, once per key */
int exec_spool_add(struct exec_spool *s, const char *key, const char *json,
		   const struct exec_env *env)
{
	unsigned long long seq, jobs[1];
	char tmp[NAME_MAX_B], path[NAME_MAX_B], kpath[NAME_MAX_B];
	int fd, e, n;

	if (strchr(json, '\n') || (key && !key_ok(key))) {
		errno = EINVAL;
		return -1;
	}
	if (key && snprintf(kpath, sizeof(kpath), "%s/keys/%s", s->dir, key) >=
			   (int)sizeof(kpath)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = list(s, "job", jobs, 0, NULL);
	if (n < 0)
		return -1;
	if (n >= EXEC_SPOOL_MAX) {
		errno = ENOSPC;
		return -1;
	}
	seq = atomic_fetch_add(&s->seq, 1);
	if (job_path(s, seq, "tmp", tmp, sizeof(tmp)) < 0 ||
	    job_path(s, seq, "job", path, sizeof(path)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -1;
	if (write_job(fd, json, env) < 0 || fsync(fd) < 0) {
		e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	/* The key is a hard link to the job: it records "posted" in the
	 * same step; a second post of the key finds it and is skipped. */
	if (key && link(tmp, kpath) < 0) {
		e = errno;
		unlink(tmp);
		if (e == EEXIST)
			return 1;
		errno = e;
		return -1;
	}
	if (rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp); /* a crash instead: settle finds it linked */
		if (key)
			unlink(kpath);
		errno = e;
		return -1;
	}
	sync_dir(s->dir);
	if (key) {
		if (snprintf(kpath, sizeof(kpath), "%s/keys", s->dir) <
		    (int)sizeof(kpath))
			sync_dir(kpath);
	}
	return 0;
}

/* remove - unlink dir/N.suffix, quietly */
static void remove_file(const struct exec_spool *s, unsigned long long seq,
			const char *suffix)
{
	char path[NAME_MAX_B];

	if (job_path(s, seq, suffix, path, sizeof(path)) == 0)
		unlink(path);
}

/* exists - is there dir/N.suffix? */
static int exists(const struct exec_spool *s, unsigned long long seq,
		  const char *suffix)
{
	char path[NAME_MAX_B];
	struct stat st;

	return job_path(s, seq, suffix, path, sizeof(path)) == 0 &&
	       lstat(path, &st) == 0;
}

/* prune_keys - forget keys older than EXEC_KEY_DAYS */
static void prune_keys(const struct exec_spool *s)
{
	char path[NAME_MAX_B], file[NAME_MAX_B + 256];
	time_t old = time(NULL) - (time_t)EXEC_KEY_DAYS * 86400;
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (snprintf(path, sizeof(path), "%s/keys", s->dir) >=
		    (int)sizeof(path) ||
	    !(dir = opendir(path)))
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", path, d->d_name) <
			    (int)sizeof(file) &&
		    lstat(file, &st) == 0 && st.st_mtime < old)
			unlink(file);
	}
	closedir(dir);
}

/* exec_spool_settle - the crash records of the previous run */
int exec_spool_settle(struct exec_spool *s)
{
	unsigned long long *seqs = s->seqs;
	int n, i, done = 0;

	/* Not started: take the pending file away first, so an orphaned
	 * child cannot start the program any more; the job stays owed. */
	n = list(s, "pending", seqs, EXEC_SPOOL_MAX, NULL);
	for (i = 0; i < n && i < EXEC_SPOOL_MAX; i++)
		remove_file(s, seqs[i], "pending");
	/* A temp job: linked to its key, it was posted (the crash came
	 * before the rename); else it never was. */
	n = list(s, "tmp", seqs, EXEC_SPOOL_MAX, NULL);
	for (i = 0; i < n && i < EXEC_SPOOL_MAX; i++) {
		char tmp[NAME_MAX_B], job[NAME_MAX_B];
		struct stat st;

		if (job_path(s, seqs[i], "tmp", tmp, sizeof(tmp)) == 0 &&
		    job_path(s, seqs[i], "job", job, sizeof(job)) == 0 &&
		    lstat(tmp, &st) == 0 && st.st_nlink > 1 &&
		    rename(tmp, job) == 0)
			continue;
		remove_file(s, seqs[i], "tmp");
	}
	prune_keys(s);
	/* Started: the program most likely ran; never twice. */
	n = list(s, "started", seqs, EXEC_SPOOL_MAX, NULL);
	for (i = 0; i < n && i < EXEC_SPOOL_MAX; i++) {
		if (exists(s, seqs[i], "job")) {
			log_warning("event=exec-interrupted job=%llu: the "
				    "program was started before a restart; "
				    "not run again",
				    seqs[i]);
			remove_file(s, seqs[i], "job");
			done++;
		}
		remove_file(s, seqs[i], "started");
	}
	s->n_state = 0;
	return done;
}

/* read_job - the job's JSON (into json) and variables (into env) */
static int read_job(const struct exec_spool *s, unsigned long long seq,
		    struct buf *json, struct exec_env *env)
{
	char path[NAME_MAX_B], line[EXEC_ENV_VALUE_MAX + 2];
	FILE *fp;
	int c;
	size_t n;

	if (job_path(s, seq, "job", path, sizeof(path)) < 0 ||
	    !(fp = fopen(path, "re")))
		return -1;
	exec_env_init(env);
	/* Line 1: the JSON (up to EXEC_JOB_MAX, the buffer's cap). */
	while ((c = getc(fp)) != EOF && c != '\n')
		buf_addc(json, (char)c);
	while (fgets(line, sizeof(line), fp)) {
		n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "MILTER_DELIST_", 14) != 0 ||
		    env->n >= EXEC_ENV_MAX)
			continue;
		util_strcpy(env->text[env->n], EXEC_ENV_VALUE_MAX, line);
		env->envp[env->n] = env->text[env->n];
		env->envp[++env->n] = NULL;
	}
	fclose(fp);
	return json->err || !json->len ? -1 : 0;
}

/* state_of - the back-off record of seq, created when make */
static struct job_state *state_of(struct exec_spool *s, unsigned long long seq,
				  int make)
{
	size_t i;

	for (i = 0; i < s->n_state; i++)
		if (s->st[i].seq == seq)
			return &s->st[i];
	if (!make || s->n_state == EXEC_SPOOL_MAX)
		return NULL;
	s->st[s->n_state].seq = seq;
	s->st[s->n_state].attempts = 0;
	s->st[s->n_state].next = 0;
	return &s->st[s->n_state++];
}

/* forget - drop seq's back-off record */
static void forget(struct exec_spool *s, unsigned long long seq)
{
	struct job_state *st = state_of(s, seq, 0);

	if (st)
		*st = s->st[--s->n_state];
}

/* backoff - retry * 2^(attempts - 1), at most an hour (or retry) */
static time_t backoff(unsigned attempts, time_t retry)
{
	time_t delay = retry > 0 ? retry : 1, cap;
	unsigned i;

	cap = delay > BACKOFF_MAX ? delay : BACKOFF_MAX;
	for (i = 1; i < attempts && delay < cap; i++)
		delay *= 2;
	return delay < cap ? delay : cap;
}

/* exec_spool_run - one pass over the owed jobs */
void exec_spool_run(struct exec_spool *s, const char *program, time_t timeout,
		    time_t retry, time_t now, struct exec_spool_result *res)
{
	unsigned long long *seqs = s->seqs;
	char pending[NAME_MAX_B], marker[NAME_MAX_B], err[300];
	struct exec_env env;
	struct job_state *st;
	struct buf json;
	int n, i;

	memset(res, 0, sizeof(*res));
	n = list(s, "job", seqs, EXEC_SPOOL_MAX, NULL);
	if (n < 0) {
		snprintf(res->last_error, sizeof(res->last_error),
			 "cannot list the spool: %s", strerror(errno));
		return;
	}
	buf_init(&json);
	json.max = EXEC_JOB_MAX;
	for (i = 0; i < n && i < EXEC_SPOOL_MAX; i++) {
		st = state_of(s, seqs[i], 0);
		if (st && st->next > now) {
			res->owed++;
			if (!res->next || st->next < res->next)
				res->next = st->next;
			continue;
		}
		buf_reset(&json);
		if (read_job(s, seqs[i], &json, &env) < 0 ||
		    job_path(s, seqs[i], "pending", pending, sizeof(pending)) <
			    0 ||
		    job_path(s, seqs[i], "started", marker, sizeof(marker)) <
			    0) {
			log_error("event=exec-failed job=%llu: cannot read "
				  "the job in %s; dropped",
				  seqs[i], s->dir);
			remove_file(s, seqs[i], "job");
			continue;
		}
		res->ran++;
		if (exec_run(program, json.data, json.len, env.envp, timeout,
			     pending, marker, err, sizeof(err)) == 0) {
			remove_file(s, seqs[i], "job"); /* done first */
			remove_file(s, seqs[i], "started");
			forget(s, seqs[i]);
			res->ok++;
			log_notice("event=exec-sent job=%llu program=%s",
				   seqs[i], program);
			continue;
		}
		remove_file(s, seqs[i], "started");
		remove_file(s, seqs[i], "pending");
		st = state_of(s, seqs[i], 1);
		if (st) {
			st->attempts++;
			st->next = now + backoff(st->attempts, retry);
		}
		res->failed++;
		res->owed++;
		if (st && (!res->next || st->next < res->next))
			res->next = st->next;
		util_strcpy(res->last_error, sizeof(res->last_error), err);
		log_warning("event=exec-failed job=%llu program=%s "
			    "attempt=%u: %s; retry in %lld s",
			    seqs[i], program, st ? st->attempts : 0, err,
			    st ? (long long)(st->next - now) : 0LL);
	}
	buf_free(&json);
}
