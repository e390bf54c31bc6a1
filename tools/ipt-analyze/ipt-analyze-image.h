/* ipt-analyze-image.h: the image and the decoder the command line asks
 * for (--pt's memory sources in priority order, --cpu, --stall-limit,
 * --tsc-conversion), shared by ipt-analyze and ipt-view.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-options.h"

G_BEGIN_DECLS

/* One --raw, --elf, --kcore or --plugin source as a provider. */
IptMemoryProvider *ipt_analyze_new_source_provider (IptPluginRegistry *registry,
                                                    const IptAnalyzeSource *source,
                                                    GError **error);

/* The image of every source of @options, first given first. A failure
 * names the source's option ("--raw 'x.bin:0x1000': ..."); *@usage_error
 * says whether it is a bad command line (a --plugin spec that does not
 * parse) rather than a file or plugin that failed. */
IptImage *ipt_analyze_build_image (IptPluginRegistry *registry, const char *name,
                                   const IptAnalyzeOptions *options, gboolean *usage_error,
                                   GError **error);

/* A decoder over @image with --insn-decoder/--block-decoder, --cpu,
 * --stall-limit and --tsc-conversion; a bad --cpu is the error
 * ("--cpu ..."). */
IptDecoder *ipt_analyze_new_decoder (IptImage *image, const IptAnalyzeOptions *options,
                                     GError **error);

/* The --pt file before a decode: a regular file (mapping a device or a
 * directory fails with an mmap() error that does not say why), not a
 * perf.data from its start (its AUX data holds PSBs, but between perf's
 * own records: decoding it whole would list garbage), and one with a PSB
 * in the range to decode: libipt decodes nothing before the first PSB, so
 * a file without one (random bytes, an ELF) would list nothing and look
 * like an empty trace. A bad range is left to the decoder, which names it. */
gboolean ipt_analyze_check_trace (const IptAnalyzeOptions *options, GError **error);

/* The name of the plugin whose provider @provider is (its type's name when
 * no plugin in @registry made it). */
const char *ipt_analyze_provider_name (IptPluginRegistry *registry, IptMemoryProvider *provider);

/* "any" for @value == @none, else 0x-hex, into @buffer. */
void ipt_analyze_format_asid_part (char *buffer, gsize size, guint64 value, guint64 none);

G_END_DECLS
