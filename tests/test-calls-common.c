/* test-calls-common.c: what the call analysis's tests share: decoding a
 * trace file into an IptCalls, its three outputs as strings, providers
 * from the built plugins (PSB offsets: test_find_psbs() in test-support.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "test-calls-common.h"

IptMemoryProvider *
new_provider (const char *spec)
{
  g_autoptr(GError) error = NULL;
  IptMemoryProvider *provider =
    ipt_plugin_registry_new_provider (ipt_plugin_registry_get_default (), spec, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (provider);
  return provider;
}

/* Bytes [@from, @to) of the trace file @path (@to 0: its end). */
IptCalls *
calls_decode (IptImage *image, IptSymbolResolver *symbols, IptDecoderKind kind,
              const char *path, guint64 from, guint64 to)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(GError) error = NULL;
  IptCalls *calls = ipt_calls_new (symbols);

  ipt_decoder_decode_file (decoder, path, from, to, IPT_SINK (calls), NULL, &error);
  g_assert_no_error (error);
  return calls;
}

/* What @write writes, NUL-terminated. */
char *
write_to_string (IptCalls *calls, WriteFunc write)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (write (calls, stream, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (stream, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

void
outputs_clear (Outputs *outputs)
{
  g_free (outputs->listing);
  g_free (outputs->folded);
  g_free (outputs->chrome);
}

void
outputs_get (Outputs *outputs, IptCalls *calls)
{
  outputs->listing = write_to_string (calls, ipt_calls_write_listing);
  outputs->folded = write_to_string (calls, ipt_calls_write_folded);
  outputs->chrome = write_to_string (calls, ipt_calls_write_chrome_trace);
}

void
assert_same_outputs (const Outputs *a, const Outputs *b)
{
  g_assert_cmpstr (a->listing, ==, b->listing);
  g_assert_cmpstr (a->folded, ==, b->folded);
  g_assert_cmpstr (a->chrome, ==, b->chrome);
}
