/* ipt-error.h: the error domain of ipt-analyze and its translation to libipt codes. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <ipt-analyze/ipt-macros.h>

G_BEGIN_DECLS

/**
 * IPT_ERROR:
 *
 * Error domain for ipt-analyze. Errors in this domain are from the
 * #IptError enumeration. See #GError for information on error domains.
 *
 * Since: 0.1
 */
#define IPT_ERROR (ipt_error_quark ())

/**
 * IptError:
 * @IPT_ERROR_FAILED: a failure that no other code describes.
 * @IPT_ERROR_INVALID_ARGUMENT: an argument or option value is not valid.
 * @IPT_ERROR_NOT_FOUND: a file, plugin, option or address was not found.
 * @IPT_ERROR_IO: reading or mapping a file failed.
 * @IPT_ERROR_TRUNCATED: a file is shorter than its own headers say.
 * @IPT_ERROR_CORRUPT: a file's contents are inconsistent or malformed.
 * @IPT_ERROR_UNMAPPED: an address is not mapped by any provider.
 * @IPT_ERROR_PLUGIN: a plugin could not be loaded or is not valid.
 * @IPT_ERROR_ABI_MISMATCH: a plugin was built for another plugin ABI version.
 * @IPT_ERROR_DECODE: the trace decoder (libipt) reported an error.
 * @IPT_ERROR_NOT_SUPPORTED: the request is valid but not supported.
 * @IPT_ERROR_NO_MEMORY: memory for the request could not be allocated
 *   (a size too large for this machine).
 * @IPT_ERROR_BAD_OPTION: a plugin option is unknown, given twice, malformed,
 *   out of range or missing: the option string (a command line, a form) is
 *   wrong, not a file it names.
 *
 * Error codes in the #IPT_ERROR domain. New codes are only ever appended.
 *
 * Since: 0.1
 */
typedef enum {
  IPT_ERROR_FAILED,
  IPT_ERROR_INVALID_ARGUMENT,
  IPT_ERROR_NOT_FOUND,
  IPT_ERROR_IO,
  IPT_ERROR_TRUNCATED,
  IPT_ERROR_CORRUPT,
  IPT_ERROR_UNMAPPED,
  IPT_ERROR_PLUGIN,
  IPT_ERROR_ABI_MISMATCH,
  IPT_ERROR_DECODE,
  IPT_ERROR_NOT_SUPPORTED,
  IPT_ERROR_NO_MEMORY,
  IPT_ERROR_BAD_OPTION,
} IptError;

IPT_AVAILABLE_IN_ALL
GQuark ipt_error_quark (void);

IPT_AVAILABLE_IN_ALL
int ipt_error_to_pt_error_code (const GError *error);

IPT_AVAILABLE_IN_ALL
void ipt_set_error_from_pt_error_code (GError **error, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
