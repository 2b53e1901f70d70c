/* tuning.h - the importer's tuning knobs: the measured numbers, and how tests set them small. */
#ifndef COMPSIGHT_INPUT_TUNING_H
#define COMPSIGHT_INPUT_TUNING_H

#include <stddef.h>

#include "compsight/dataset.h"

/*
 * None of these changes a result: the dataset, the rejects and the errors
 * are the same whatever their values (test_reader_thread and the
 * fuzz_dataset property check load the same files with tiny values and
 * compare).  They were measured on 1M and 10M generated deals on the
 * 2-core virtual machines compsight is benchmarked on (bench/).
 */

/* ---- the reader thread and its batches (loader.c) ---- */

/* A file of at least this many bytes is split on a second thread; a
 * smaller one goes through the same code in line, one batch at a time. */
#define CS_THREADED_FILE_SIZE ((size_t)4 << 20)
/* A batch holds at most this many rows and this much text. */
#define CS_BATCH_ROWS 2048
#define CS_BATCH_TEXT ((size_t)1 << 20)
/* Up to three batches filled ahead of the one being loaded: with two, the
 * reader and the loader took turns, each waking the other at every batch,
 * and a 10M-deal import took 12.3 s instead of 9.4 s (medians of three
 * runs in turn; 8 batches: no faster). */
#define CS_N_BATCHES 4

/* The loader looks the strings of this many rows up in the string pool
 * at a time (look_up): enough to overlap their cache misses, few enough
 * that their cells and the pool's slots are still in cache when the rows
 * are loaded. */
#define CS_LOOKUP_ROWS 256

/* ---- planning ahead (loader.c, plan_ahead) ---- */

/* After the first batch (of at least CS_PLAN_MIN_ROWS rows) of a file of
 * at least CS_PLAN_MIN_SIZE bytes, the loader reserves room in the string
 * pool for the rest of the import and queues the memory it will write
 * for the reader to fault in. */
#define CS_PLAN_MIN_SIZE ((size_t)16 << 20)
#define CS_PLAN_MIN_ROWS 1024
/* Spans waiting to be faulted in, and how much the reader faults in
 * before it looks at its batches again (one huge page: about 4 ms here). */
#define CS_MAX_PREFAULT 32
#define CS_PREFAULT_STEP ((size_t)2 << 20)
/* A table's arrays start with room for a row every this many bytes of
 * its file (untouched pages cost nothing; the slack goes back at the end). */
#define CS_MIN_ROW_BYTES 24

/* ---- guessing the row of a reference (keyindex.c, GUESSED keys) ---- */

/* How far from the row found last a reference to a deal is looked for,
 * before and after.  In the generated commissions.csv, 99.99% of the
 * references are within 64 rows of the one before; in promises.csv, 99%
 * are the same deal or the next one.  When more than a quarter of a
 * window of CS_GUESS_WINDOW guesses miss (a file in another order: by
 * date, say), only one lookup in CS_GUESS_SAMPLE guesses, to notice when
 * the order comes back, and the loader looks the column up in the pool
 * again: on 1M deals with promises and commissions shuffled, guessing
 * every time without that made the import 1.6 times slower. */
#define CS_GUESS_BACK 64
#define CS_GUESS_AHEAD 64
#define CS_GUESS_WINDOW 4096
#define CS_GUESS_SAMPLE 64

/* ------------------------------------------------------------------------
 * Setting them, for the tests
 * --------------------------------------------------------------------- */

/*
 * How a file is read; 0 = the default above.  A file of at least
 * thread_min_size bytes (SIZE_MAX: never) is split on a second thread, in
 * batches of batch_rows rows (at most CS_BATCH_ROWS) and batch_text bytes
 * of text; plan_min_size set plans ahead after any first batch of a file
 * that size.  Tests set tiny values to exercise the hand-over and the
 * planning ahead on small files.
 */
struct cs_load_tuning {
    size_t thread_min_size;
    size_t batch_rows;
    size_t batch_text;
    size_t plan_min_size;
};

/* cs_dataset_load with these knobs (NULL: the defaults). */
enum cs_status cs_dataset_load_tuned(const struct cs_load_options *opt,
                                     const struct cs_load_tuning *tuning,
                                     struct cs_dataset **out, struct cs_error *err);

#endif
