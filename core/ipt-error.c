/* ipt-error.c: the IPT_ERROR domain and the one place that translates between
 * GError and libipt's negative pt_error_code values. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

/**
 * ipt_error_quark:
 *
 * Gets the error domain of ipt-analyze; use %IPT_ERROR in C.
 *
 * Returns: the quark of the #IPT_ERROR domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (ipt-error-quark, ipt_error)

/**
 * ipt_error_to_pt_error_code:
 * @error: (nullable): an error, or %NULL
 *
 * Translates an error into the negative libipt error code that a read-memory
 * callback returns for it: -pte_nomap for %IPT_ERROR_UNMAPPED, -pte_invalid
 * for %IPT_ERROR_INVALID_ARGUMENT and %IPT_ERROR_BAD_OPTION, -pte_nomem for %IPT_ERROR_NO_MEMORY and
 * %G_IO_ERROR_NO_SPACE,
 * and -pte_bad_image for every other failure (a provider that maps an
 * address but cannot deliver its bytes). Returns 0 (pte_ok) for a %NULL @error.
 *
 * Returns: a negative `enum pt_error_code` value, or 0
 *
 * Since: 0.1
 */
int
ipt_error_to_pt_error_code (const GError *error)
{
  if (error == NULL)
    return 0;

  if (error->domain == IPT_ERROR)
    {
      switch ((IptError) error->code)
        {
        case IPT_ERROR_UNMAPPED:
          return -pte_nomap;
        case IPT_ERROR_INVALID_ARGUMENT:
        case IPT_ERROR_BAD_OPTION:
          return -pte_invalid;
        case IPT_ERROR_NOT_SUPPORTED:
          return -pte_not_supported;
        case IPT_ERROR_NO_MEMORY:
          return -pte_nomem;
        case IPT_ERROR_FAILED:
        case IPT_ERROR_NOT_FOUND:
        case IPT_ERROR_IO:
        case IPT_ERROR_TRUNCATED:
        case IPT_ERROR_CORRUPT:
        case IPT_ERROR_PLUGIN:
        case IPT_ERROR_ABI_MISMATCH:
        case IPT_ERROR_DECODE:
        default:
          return -pte_bad_image;
        }
    }

  if (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_NO_SPACE)
    return -pte_nomem;

  return -pte_bad_image;
}

/**
 * ipt_set_error_from_pt_error_code:
 * @error: (out) (optional): return location for the error
 * @code: a libipt status, negative or positive (the sign is ignored)
 * @format: printf()-style text that says what was being done; libipt's own
 *   message for @code is appended after ": "
 * @...: arguments for @format
 *
 * Sets @error from a libipt status: -pte_nomap becomes %IPT_ERROR_UNMAPPED,
 * -pte_invalid %IPT_ERROR_INVALID_ARGUMENT, -pte_not_supported
 * %IPT_ERROR_NOT_SUPPORTED, -pte_bad_image %IPT_ERROR_FAILED, -pte_nomem
 * %IPT_ERROR_NO_MEMORY, and every other code %IPT_ERROR_DECODE.
 *
 * Since: 0.1
 */
void
ipt_set_error_from_pt_error_code (GError **error, int code, const char *format, ...)
{
  g_autofree char *what = NULL;
  enum pt_error_code errcode = pt_errcode (code < 0 ? code : -code);
  IptError ipt_code;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  switch (errcode)
    {
    case pte_nomap:
      ipt_code = IPT_ERROR_UNMAPPED;
      break;
    case pte_invalid:
      ipt_code = IPT_ERROR_INVALID_ARGUMENT;
      break;
    case pte_not_supported:
      ipt_code = IPT_ERROR_NOT_SUPPORTED;
      break;
    case pte_bad_image:
      ipt_code = IPT_ERROR_FAILED;
      break;
    case pte_nomem:
      ipt_code = IPT_ERROR_NO_MEMORY;
      break;
    default:
      ipt_code = IPT_ERROR_DECODE;
      break;
    }

  g_set_error (error, IPT_ERROR, ipt_code, "%s: %s", what, pt_errstr (errcode));
}
