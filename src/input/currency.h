/* currency.h - SPEC 12's currencies: ISO 4217 codes, rates.csv's index, amounts converted to the corporate currency. */
#ifndef COMPSIGHT_INPUT_CURRENCY_H
#define COMPSIGHT_INPUT_CURRENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compsight/schema.h"
#include "compsight/status.h"

/*
 * The rules (docs/INPUT.md, "Currencies"):
 *
 * - A deal's amount and a commission line's commission are in the
 *   currency of their row's `currency` cell, blank meaning the corporate
 *   currency.  The importer keeps them in the corporate currency: amount /
 *   rate, with the dated rate of rates.csv whose [start_date,
 *   next_start_date) holds the deal's close_date (an open deal's
 *   created_date, else its close_date), else the currency's undated rate;
 *   a commission line at its deal's date.  The corporate currency
 *   converts at 1 with or without a rates row.  An amount in a currency
 *   with no rate for its date is a reject: "no rate for EUR on 2026-03-02".
 * - The corporate currency: --currency, else the one currency whose
 *   undated rate in rates.csv is 1, else USD.  Without rates.csv nothing
 *   converts: the one code the currency columns hold is the corporate
 *   currency, and more than one code (with --currency, a code other than
 *   it) stops the import (CS_ERR_INPUT naming the codes and their rows).
 *   With rates.csv, a --currency other than the code whose undated rate
 *   is 1 is CS_ERR_USAGE; two codes with an undated rate of 1 and no
 *   --currency, CS_ERR_INPUT.
 * - rates.csv's rows: a rate > 0; both dates or neither; next_start_date
 *   after start_date (9999-12-31 is Salesforce's open end).  Two undated
 *   rates of one currency, or two dated ranges of one currency that
 *   overlap, are both rejected, each naming the other's line; a rate of
 *   the corporate currency other than 1 is rejected.
 *
 * The importer's state of currencies lives in the loader (L->cur),
 * allocated when first needed: data without a currency column or
 * rates.csv never touch it, and a blank currency cell costs one test.
 */

struct loader;
struct cs_currency;

/* A currency code as a number: ISO 4217's three letters (ASCII,
 * case-insensitive), as 1 + their value in base 26, 1..17576; 0 for
 * anything else. */
uint16_t cs_currency_code(const char *s, size_t len);

/* The three capital letters of a code into buf (at least 4 bytes); "" for
 * a number no code gives. */
void cs_currency_text(uint16_t code, char *buf);

/*
 * After table t was read (or found absent): rates.csv's rows checked as a
 * whole and indexed, and the corporate currency decided (t = RATES), or
 * the codes of a file without rates.csv checked (DEALS, COMMISSIONS).
 * Sets L->ds->currency once the corporate currency is known, and
 * L->ds->converted after commissions.csv.  CS_OK, or
 * CS_ERR_USAGE / CS_ERR_INPUT as in the rules above, CS_ERR_NOMEM; L->err
 * is filled.
 */
enum cs_status cs_currency_after_table(struct loader *L, enum cs_table t);

/*
 * The amount *amount (NAN: blank) of a row of the file being read, in
 * currency code (not 0) on day (CS_NO_DATE: the row has no date),
 * converted to the corporate currency in place.  0; CS_CURRENCY_NO_RATE
 * when no rate applies; CS_CURRENCY_TOO_LARGE when the result would not
 * be finite (*rate says at which rate); -1 on OOM.  The caller rejects.
 */
#define CS_CURRENCY_NO_RATE 1
#define CS_CURRENCY_TOO_LARGE 2
int cs_currency_convert(struct loader *L, uint16_t code, int32_t day, double *amount,
                        double *rate);

/* Row row of rates.csv came from the file being read (L->src): so that a
 * reject after the file names it.  0, or -1 on OOM. */
int cs_currency_rate_row(struct loader *L, uint32_t row);

/* Free the loader's currency state; accepts NULL. */
void cs_currency_free(struct cs_currency *cur);

#endif
