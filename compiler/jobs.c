/* jobs.c: supervised worker processes for 'mmcc build' (see jobs.h). The parent blocks the
 * signals it handles and waits in sigsuspend, so no signal can slip in between a check and
 * the wait; all cleanup runs in normal context, never in a signal handler. */
#include "jobs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
#define N_HANDLED (sizeof handled / sizeof *handled)

static volatile sig_atomic_t got_signal;
static void on_signal(int s) { got_signal = s; }
static void on_child(int s) { (void)s; }  /* only to wake sigsuspend */

typedef struct worker { pid_t pid; FILE *log; double t0; } worker;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void print_log(FILE *log) {
  char buf[4096];
  size_t n;
  rewind(log);
  while ((n = fread(buf, 1, sizeof buf, log)) > 0) fwrite(buf, 1, n, stderr);
}

int jobs_run(size_t n, const char *const *names, int parallel, int quiet, const char *out_dir,
             job_fn fn, void *ctx) {
  struct sigaction saved[N_HANDLED];
  sigset_t block, old, wait_mask;
  sigemptyset(&block);
  for (size_t k = 0; k < N_HANDLED; k++) sigaddset(&block, handled[k]);
  sigprocmask(SIG_BLOCK, &block, &old);
  wait_mask = old;
  for (size_t k = 0; k < N_HANDLED; k++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handled[k] == SIGCHLD ? on_child : on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(handled[k], &sa, &saved[k]);
    if (handled[k] != SIGCHLD && saved[k].sa_handler == SIG_IGN)
      sigaction(handled[k], &saved[k], NULL);  /* ignored on entry (nohup, `cmd &`): keep so */
    sigdelset(&wait_mask, handled[k]);
  }
  got_signal = 0;

  worker *w = xcalloc(n ? n : 1, sizeof *w);
  size_t next = 0, running = 0, finished = 0;
  int failed = 0;
  if (parallel < 1) parallel = 1;
  while (finished < n && !got_signal) {
    while (running < (size_t)parallel && next < n && !got_signal) {
      size_t i = next++;
      w[i].log = quiet ? tmpfile() : NULL;
      w[i].t0 = now_s();
      fflush(stdout);
      fflush(stderr);
      pid_t pid = fork();
      if (pid == 0) {
        setpgid(0, 0);
        for (size_t k = 0; k < N_HANDLED; k++) sigaction(handled[k], &saved[k], NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (w[i].log) {
          dup2(fileno(w[i].log), 1);
          dup2(fileno(w[i].log), 2);
        }
        int rc = fn(i, ctx);
        fflush(stdout);
        fflush(stderr);
        exit(rc ? 1 : 0);
      }
      if (pid < 0) {
        diag_error(NULL, 0, 0, "fork: %s", strerror(errno));
        if (w[i].log) fclose(w[i].log);
        w[i].log = NULL;
        failed++;
        finished++;
        continue;
      }
      setpgid(pid, pid);  /* also here: the worker may not have run yet */
      w[i].pid = pid;
      running++;
    }
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
      size_t i = 0;
      while (i < next && w[i].pid != pid) i++;
      if (i == next) continue;
      running--;
      finished++;
      w[i].pid = 0;
      staging_remove_of(out_dir, (long)pid);  /* left only if the worker died abnormally */
      int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
      if (!ok) failed++;
      if (quiet) {
        fprintf(stderr, "mmcc: [%zu/%zu] %s: %s in %.1f s\n", finished, n, names[i],
                ok ? "built" : "FAILED", now_s() - w[i].t0);
        if (!ok) print_log(w[i].log);
      } else if (!ok && !WIFEXITED(st)) {
        diag_error(NULL, 0, 0, "building %s: worker killed by signal %d", names[i],
                   WTERMSIG(st));
      }
      if (w[i].log) fclose(w[i].log);
      w[i].log = NULL;
    }
    if (finished < n && running && !got_signal) sigsuspend(&wait_mask);
  }

  int sig = got_signal;
  if (sig) {
    for (size_t i = 0; i < next; i++)
      if (w[i].pid > 0) {
        kill(-w[i].pid, SIGTERM);
        kill(w[i].pid, SIGTERM);
      }
    for (size_t i = 0; i < next; i++)
      if (w[i].pid > 0) {
        int st;
        while (waitpid(w[i].pid, &st, 0) < 0 && errno == EINTR) {}
        staging_remove_of(out_dir, (long)w[i].pid);
        if (w[i].log) fclose(w[i].log);
      }
    fprintf(stderr, "mmcc: interrupted (signal %d): staging directories removed, previous "
                    "output left as it was\n", sig);
  }
  free(w);
  for (size_t k = 0; k < N_HANDLED; k++) sigaction(handled[k], &saved[k], NULL);
  if (sig) {
    signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    raise(sig);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  return failed;
}
