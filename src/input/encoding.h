/* encoding.h - bytes of a Windows-1252 or ISO-8859-1 file as UTF-8 (iconv), and the tests that decide it. */
#ifndef COMPSIGHT_INPUT_ENCODING_H
#define COMPSIGHT_INPUT_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A converter from a single-byte encoding (CS_ENC_WINDOWS_1252 or
 * CS_ENC_ISO_8859_1 of mapfile.h) to UTF-8, over glibc's iconv.  One
 * converter is used by one thread at a time.  cs_recode_new returns NULL
 * when iconv cannot be had (out of memory, or the C library lacks the
 * conversion); free with cs_recode_free (accepts NULL).
 */
struct cs_recode;

struct cs_recode *cs_recode_new(int encoding);
void cs_recode_free(struct cs_recode *rc);

/*
 * Convert s[0..len) into out, which has room for 3 * len bytes (the most
 * a single-byte character takes in UTF-8: the euro sign).  Returns the
 * length written, or (size_t)-1 when a byte is no character of the
 * encoding (Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D unused);
 * NUL bytes convert to NUL bytes.
 */
size_t cs_recode(struct cs_recode *rc, const char *s, size_t len, char *out);

/* Whether s[0..len) holds a byte >= 0x80 (eight bytes at a time). */
bool cs_has_high(const char *s, size_t len);

#endif
