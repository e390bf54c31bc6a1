/* bench-common.h: what the decode benchmarks share — the decode loops
 * (insn and block decoder, counting instructions and errors as ptxed
 * resyncs), medians, IPT_BENCH_* numbers and images from plugin specs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

typedef enum { DECODER_INSN, DECODER_BLOCK, N_DECODERS } Decoder;

extern const char *const decoder_names[N_DECODERS];

typedef struct {
  guint64 insns;
  guint64 errors;
} Count;

Count decode_insn (const guint8 *trace, gsize size, struct pt_image *image);
Count decode_block (const guint8 *trace, gsize size, struct pt_image *image);
Count decode (Decoder which, const guint8 *trace, gsize size, struct pt_image *image);

gdouble median (const gdouble *values, guint n);
guint env_uint (const char *name, guint fallback, guint max);
IptImage *image_from_plugin (IptPluginRegistry *registry, const char *spec);
guint8 *read_trace_repeated (const char *path, guint repeat, gsize *size);
IptImage *mruby_repeated (IptPluginRegistry *registry, guint repeat, GBytes **trace);
gdouble cpu_seconds (void);

#define BENCH_MAX_ROUNDS 64
gboolean decode_rounds (struct pt_image *const *images, const char *const *labels, guint n_images,
                        const guint8 *trace, gsize size, guint rounds,
                        gdouble (*seconds)[N_DECODERS][BENCH_MAX_ROUNDS],
                        guint64 (*insns)[N_DECODERS]);

G_END_DECLS
