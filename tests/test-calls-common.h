/* test-calls-common.h: what the call analysis's tests share (test-calls.c on
 * ipt-record recordings, test-calls-corpus.c on the corpus): decoding into
 * an IptCalls, its three outputs as strings. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "test-support.h"

typedef gboolean (*WriteFunc) (IptCalls *self, GOutputStream *stream, GError **error);

typedef struct {
  char *listing;
  char *folded;
  char *chrome;
} Outputs;

IptMemoryProvider *new_provider (const char *spec);
char *write_to_string (IptCalls *calls, WriteFunc write);
void outputs_clear (Outputs *outputs);
void outputs_get (Outputs *outputs, IptCalls *calls);
void assert_same_outputs (const Outputs *a, const Outputs *b);
IptCalls *calls_decode (IptImage *image, IptSymbolResolver *symbols, IptDecoderKind kind,
                        const char *path, guint64 from, guint64 to);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outputs, outputs_clear)
