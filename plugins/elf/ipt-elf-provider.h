/* ipt-elf-provider.h: the memory provider of the elf plugin (an ELF executable or shared object). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_ELF_PROVIDER (ipt_elf_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptElfProvider, ipt_elf_provider, IPT, ELF_PROVIDER, GObject)

/**
 * IPT_ELF_PROVIDER_BASE_UNSET:
 *
 * The default of #IptElfProvider:base, meaning "at the file's own
 * addresses". No file can be loaded there (it would end past 2^64).
 */
#define IPT_ELF_PROVIDER_BASE_UNSET G_MAXUINT64

G_END_DECLS
