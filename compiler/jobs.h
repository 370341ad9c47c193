/* jobs.h: runs the builds of 'mmcc build' in supervised worker processes.
 *
 * Each job runs in its own forked worker, in its own process group (so its make and cc can
 * be killed with it). The parent only waits: on SIGINT, SIGTERM or SIGHUP it kills the
 * workers' process groups, removes their staging directories (OUT/<name>.tmp.<worker pid>,
 * see staging_begin in util.h) and re-raises the signal, so an interrupted build leaves the
 * previous output as it was and nothing half-written. */
#ifndef MMCC_JOBS_H
#define MMCC_JOBS_H

#include <stddef.h>

/* One job, run in the worker: 0 on success. */
typedef int (*job_fn)(size_t i, void *ctx);

/* Runs fn(i, ctx) for i in [0, n), up to `parallel` at a time. quiet: each worker's output
 * goes to a log, and the parent prints one line per finished job ("[k/n] NAME: built in
 * 4.1 s"), with the log when the job failed. Returns the number of failed jobs. */
int jobs_run(size_t n, const char *const *names, int parallel, int quiet, const char *out_dir,
             job_fn fn, void *ctx);

#endif
