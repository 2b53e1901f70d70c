/* encoding.c - Windows-1252 and ISO-8859-1 to UTF-8 through iconv (SPEC 12), and the high-byte scan. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "compsight/mapfile.h"

struct cs_recode {
    iconv_t cd;
};

struct cs_recode *cs_recode_new(int encoding)
{
    const char *from = encoding == CS_ENC_ISO_8859_1 ? "ISO-8859-1" : "WINDOWS-1252";
    struct cs_recode *rc = malloc(sizeof *rc);
    if (!rc)
        return NULL;
    rc->cd = iconv_open("UTF-8", from);
    if (rc->cd == (iconv_t)-1) {
        free(rc);
        return NULL;
    }
    return rc;
}

void cs_recode_free(struct cs_recode *rc)
{
    if (rc) {
        iconv_close(rc->cd);
        free(rc);
    }
}

size_t cs_recode(struct cs_recode *rc, const char *s, size_t len, char *out)
{
    char *in = (char *)s, *o = out;
    size_t left = len, room = 3 * len;
    iconv(rc->cd, NULL, NULL, NULL, NULL);        /* a fresh shift state */
    if (iconv(rc->cd, &in, &left, &o, &room) == (size_t)-1)
        return (size_t)-1;                          /* EILSEQ: no such character */
    return (size_t)(o - out);
}

bool cs_has_high(const char *s, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; len - i >= 32; i += 32) {
        uint64_t w[4];
        memcpy(w, s + i, 32);
        acc |= w[0] | w[1] | w[2] | w[3];
    }
    for (; len - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= (unsigned char)s[i];
    return (acc & UINT64_C(0x8080808080808080)) != 0;
}
