/* ipt-analyze-options.h: the command line of ipt-analyze, parsed with GOption. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-thread-sink.h"

G_BEGIN_DECLS

/* Exit statuses, documented in --help and ipt-analyze(1). */
enum {
  IPT_ANALYZE_EXIT_OK = 0,
  IPT_ANALYZE_EXIT_FAILURE = 1,         /* runtime failure: files, plugins, unmapped --read */
  IPT_ANALYZE_EXIT_USAGE = 2,           /* bad command line */
  IPT_ANALYZE_EXIT_INCOMPLETE = 3,      /* the decode stopped early: the listing is a prefix */
};

typedef enum {
  IPT_ANALYZE_SOURCE_PLUGIN,            /* --plugin NAME[:K=V,...] */
  IPT_ANALYZE_SOURCE_RAW,               /* --raw FILE[:FROM[-TO]]:BASE */
  IPT_ANALYZE_SOURCE_ELF,               /* --elf FILE[:BASE] */
  IPT_ANALYZE_SOURCE_KCORE,             /* --kcore FILE: a copy of /proc/kcore or a vmlinux */
} IptAnalyzeSourceKind;

/* --coverage=KIND:FILE */
typedef enum {
  IPT_ANALYZE_COVERAGE_AFL,             /* libxdc's 64 KiB edge bitmap */
  IPT_ANALYZE_COVERAGE_DRCOV,           /* drcov v2 (Lighthouse) */
  IPT_ANALYZE_COVERAGE_LCOV,            /* an lcov tracefile (genhtml) */
  IPT_ANALYZE_COVERAGE_BLOCKS,          /* the block and edge list, text */
  IPT_ANALYZE_COVERAGE_BLOCKS_JSON,     /* the same, JSON */
} IptAnalyzeCoverageKind;

/* One analysis output file, in command-line order. */
typedef struct {
  char *option;                         /* "--coverage 'afl:x.bin'", for messages */
  IptAnalyzeCoverageKind kind;          /* --coverage only */
  char *file;                           /* "-": standard output */
} IptAnalyzeOutputFile;

const char *ipt_analyze_coverage_kind_get_name (IptAnalyzeCoverageKind kind);
gboolean ipt_analyze_coverage_kind_from_name (const char *name, IptAnalyzeCoverageKind *kind);

/* One memory source, in command-line order (= priority, first highest). */
typedef struct {
  char *option;                         /* "--raw 'x.bin:0x400000'", for messages */
  IptAnalyzeSourceKind kind;
  /* --raw, --elf, --kcore */
  char *file;
  guint64 offset;                       /* --raw */
  guint64 size;                         /* --raw; 0: to the end of the file */
  gboolean have_base;                   /* --elf: FALSE = the file's own addresses */
  guint64 base;
  /* --plugin */
  char *spec;                           /* "NAME[:K=V,...]" */
} IptAnalyzeSource;

typedef struct {
  char *pt_file;
  char *perf_file;                      /* --perf: a perf.data */
  char *sysroot;                        /* --perf: where its files are (--sysroot) */
  char **search_path;                   /* --search-path, repeatable, each maybe DIR:DIR */
  char *buildid_dir;                    /* --buildid-dir: perf's build-id cache */
  guint64 pt_from;
  guint64 pt_to;                        /* 0: to the end of the file */
  GPtrArray *sources;                   /* IptAnalyzeSource */
  char *cpu;
  IptDecoderKind kind;
  gboolean no_inst;
  gboolean quiet;
  gboolean stat;
  gboolean json;                        /* --json: --stat as JSON */
  gboolean calls;                       /* --calls: the call listing on stdout */
  IptAnalyzeOutputFile *folded;         /* --folded[=FILE], nullable */
  IptAnalyzeOutputFile *chrome_trace;   /* --chrome-trace FILE, nullable */
  IptAnalyzeOutputFile *calls_json;     /* --calls-json FILE, nullable */
  GPtrArray *coverages;                 /* --coverage=KIND:FILE: IptAnalyzeOutputFile */
  gboolean no_fast_afl;                 /* --no-fast-afl: AFL through IptCoverage */
  guint jobs;                           /* --jobs: 0 = one per core (the default) */
  gboolean have_jobs;                   /* given: a fall-back to one job is noted */
  gboolean list_plugins;
  gboolean list_regions;
  gboolean no_jit_discovery;            /* no jitmap for the jit-N.dump a core maps */
  gboolean version;
  gboolean have_read;
  guint64 read_address;
  guint64 read_size;
  gboolean have_cr3;
  guint64 cr3;
  gboolean have_stall_limit;
  guint64 stall_limit;                  /* 0: none */
  gboolean have_time;                   /* --time: for --read and --list-regions */
  guint64 time;
  GArray *pids;                         /* --pid: gint64, NULL for all */
  GArray *tids;                         /* --tid: gint64, NULL for all */
  GArray *on_cpus;                      /* --on-cpu: gint64, NULL for all */
  guint fields;                         /* --fields: IptPerfFields */
  gboolean have_tsc_conversion;         /* --tsc-conversion ZERO:MULT:SHIFT */
  guint64 tsc_zero;
  guint32 tsc_mult;
  guint16 tsc_shift;
} IptAnalyzeOptions;

gboolean ipt_analyze_options_parse (IptAnalyzeOptions *options, int argc, char **argv,
                                    GError **error);
void ipt_analyze_options_clear (IptAnalyzeOptions *options);
const char *ipt_analyze_options_call_analysis (const IptAnalyzeOptions *options);
char *ipt_analyze_options_get_help (void);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IptAnalyzeOptions, ipt_analyze_options_clear)

gboolean ipt_analyze_split_range (char *arg, guint64 *from, guint64 *to);
gboolean ipt_analyze_split_elf (const char *arg, char **file, guint64 *base, gboolean *have_base);

G_END_DECLS
