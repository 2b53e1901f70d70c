/* linebuf.c - linked into every unit test binary: standard output is line
 * buffered wherever it goes, so that cmocka's lines on standard output
 * (RUN, OK) and on standard error (ERROR, PASSED, FAILED) come in the
 * order they were printed when both go to one pipe or log (tests/tally.sh
 * reads the counts from there). */
#include <stdio.h>

__attribute__((constructor)) static void line_buffered(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
}
