/* ipt-echo.h: user text (option values, file names) made fit to quote in a
 * message: valid UTF-8 whatever the input (GError messages are UTF-8, and
 * bindings decode them), other bytes and control characters as \xNN, and
 * cut after a number of characters with "…" so that a huge value does not
 * flood the message. Shared by core, plugins and tools; never installed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How much of an option value a message quotes. */
#define IPT_ECHO_VALUE_CHARS 64
/* How much of a file name: real names fit whole (PATH_MAX is 4096 bytes). */
#define IPT_ECHO_PATH_CHARS 4096

G_GNUC_INTERNAL
char *ipt_echo (const char *text, gssize length, gsize max_chars);

G_END_DECLS
