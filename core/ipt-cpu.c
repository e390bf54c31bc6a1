/* ipt-cpu.c: parses cpu specifications for libipt's errata and reads the
 * host's cpu (libipt 2.0.5 does not export pt_cpu_read). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-cpu-private.h"
#include "ipt-number.h"

void
ipt_cpu_read_host (struct pt_cpu *cpu)
{
  memset (cpu, 0, sizeof (*cpu));
#if defined(__x86_64__) || defined(__i386__)
  {
    unsigned int eax, ebx, ecx, edx;
    guint family, model;

    if (!__get_cpuid (0, &eax, &ebx, &ecx, &edx))
      return;
    /* "GenuineIntel" in ebx, edx, ecx; errata are only known for Intel. */
    if (ebx != 0x756e6547 || edx != 0x49656e69 || ecx != 0x6c65746e)
      return;
    if (!__get_cpuid (1, &eax, &ebx, &ecx, &edx))
      return;

    family = (eax >> 8) & 0xf;
    if (family == 0xf)
      family += (eax >> 20) & 0xff;
    model = (eax >> 4) & 0xf;
    if (family == 0x6 || family >= 0xf)
      model += (eax >> 12) & 0xf0;

    cpu->vendor = pcv_intel;
    cpu->family = (uint16_t) family;
    cpu->model = (uint8_t) model;
    cpu->stepping = (uint8_t) (eax & 0xf);
  }
#endif
}

/* One decimal or 0x-hex number of at most @max, ending at '/' or NUL. */
static gboolean
parse_part (const char **p, guint64 max, guint64 *value)
{
  const char *end = strchr (*p, '/');
  gssize length = end != NULL ? end - *p : -1;

  if (ipt_number_parse (*p, length, value) != IPT_NUMBER_OK || *value > max)
    return FALSE;
  *p += length >= 0 ? (gsize) length : strlen (*p);
  return TRUE;
}

/* Parses "none", "auto" or "F/M[/S]" (each part decimal or 0x-hex). */
gboolean
ipt_cpu_parse (const char *spec, struct pt_cpu *cpu, GError **error)
{
  guint64 family, model, stepping = 0;
  const char *p = spec;

  g_return_val_if_fail (spec != NULL, FALSE);

  if (strcmp (spec, "none") == 0)
    {
      memset (cpu, 0, sizeof (*cpu));
      return TRUE;
    }
  if (strcmp (spec, "auto") == 0)
    {
      ipt_cpu_read_host (cpu);
      return TRUE;
    }

  if (!parse_part (&p, G_MAXUINT16, &family) || *p != '/')
    goto bad;
  p++;
  if (!parse_part (&p, G_MAXUINT8, &model))
    goto bad;
  if (*p == '/')
    {
      p++;
      if (!parse_part (&p, G_MAXUINT8, &stepping) || *p != '\0')
        goto bad;
    }
  if (*p != '\0')
    goto bad;

  memset (cpu, 0, sizeof (*cpu));
  cpu->vendor = pcv_intel;
  cpu->family = (uint16_t) family;
  cpu->model = (uint8_t) model;
  cpu->stepping = (uint8_t) stepping;
  return TRUE;

bad:
  g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
               "cpu '%s': expected none, auto or FAMILY/MODEL[/STEPPING] "
               "(decimal or 0x-hex, family ≤ 65535, model and stepping ≤ 255)", spec);
  return FALSE;
}

/* "none" for no cpu, otherwise "F/M/S" in decimal. */
char *
ipt_cpu_to_string (const struct pt_cpu *cpu)
{
  if (cpu->vendor == pcv_unknown)
    return g_strdup ("none");
  return g_strdup_printf ("%u/%u/%u", cpu->family, cpu->model, cpu->stepping);
}
