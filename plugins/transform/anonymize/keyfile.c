/* keyfile.c — the anonymize plugin's key file (cryptopANT's format). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "anonymize.h"

static const char *const anon_field_names[] = { "IPv4 cipher", "IPv6 cipher", "key", "pad", "mac", "iv" };

static int
anon_hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static const char *
anon_cipher_name (guint v)
{
  switch (v)
    {
    case 1: return "MD5";
    case 2: return "Blowfish";
    case 3: return "AES";
    case 4: return "SHA1";
    default: return "unknown";
    }
}

static gboolean
anon_keyfile_error (GError **error, const char *path, gsize offset, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
anon_keyfile_error (GError **error, const char *path, gsize offset, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: offset %" G_GSIZE_FORMAT ": %s", path, offset, what);
  return FALSE;
}

/* Parses the text of a key file (@len bytes, any bytes).  Messages name
 * @path and a byte offset, never the key's digits. */
static gboolean
anon_key_parse (const char *path, const char *text, gsize len, AnonKey *k, GError **error)
{
  /* one line, optionally ended by \n or \r\n */
  gsize end = len;
  if (end > 0 && text[end - 1] == '\n')
    end--;
  if (end > 0 && text[end - 1] == '\r')
    end--;
  if (end == 0)
    return anon_keyfile_error (error, path, 0, "empty key file (expected c4:c6:key:pad:mac:iv in hex; "
                               "make one with 'darkpipe anonymize --new-key FILE')");
  /* expected digits per field: -1 any even count */
  static const gint want[6] = { 2, 2, 2 * ANON_KEY_LEN, 2 * ANON_PAD_LEN, -1, -1 };
  gsize start = 0;
  guint field = 0;
  guint8 cipher[2] = { 0, 0 };
  for (gsize i = 0; i <= end; i++)
    {
      if (i < end && text[i] != ':')
        {
          if (anon_hexval (text[i]) < 0)
            return anon_keyfile_error (error, path, i, "%s (%s field)",
                                       text[i] == '\n' || text[i] == '\r' ? "a second line"
                                       : "not a hex digit", field < 6 ? anon_field_names[field] : "extra");
          continue;
        }
      if (field >= 6)
        return anon_keyfile_error (error, path, start, "more than 6 colon-separated fields (expected c4:c6:key:pad:mac:iv)");
      gsize n = i - start;
      if ((want[field] >= 0 && n != (gsize) want[field]) || n % 2 != 0 || (field == 5 && n != 0 && n != 32))
        {
          if (field == 2)
            return anon_keyfile_error (error, path, start, "the key field has %" G_GSIZE_FORMAT " hex digits; "
                                       "an AES-128 key has 32", n);
          return anon_keyfile_error (error, path, start, "the %s field has %" G_GSIZE_FORMAT " hex digits; "
                                     "expected %s", anon_field_names[field], n,
                                     field < 2 ? "2" : field == 3 ? "64" : field == 5 ? "0 or 32" : "an even number");
        }
      guint8 *dst = field < 2 ? &cipher[field] : field == 2 ? k->key : field == 3 ? k->pad : NULL;
      for (gsize j = 0; dst && j < n / 2; j++)
        dst[j] = (guint8) (anon_hexval (text[start + 2 * j]) << 4 | anon_hexval (text[start + 2 * j + 1]));
      if (field == 0 && cipher[0] != 3)
        return anon_keyfile_error (error, path, start, "IPv4 cipher %02x (%s) is not supported; darkpipe reads "
                                   "AES key files (03)", cipher[0], anon_cipher_name (cipher[0]));
      field++;
      start = i + 1;
    }
  if (field < 5)
    return anon_keyfile_error (error, path, end, "only %u colon-separated field%s (expected c4:c6:key:pad:mac:iv)",
                               field, field == 1 ? "" : "s");
  return TRUE;
}

gboolean
anon_key_read (DpStage *stage, const char *path, AnonKey *k, GError **error)
{
  /* O_NONBLOCK: a FIFO named as key file is refused below, not waited on */
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: cannot open key file: %s", path, g_strerror (e));
      return FALSE;
    }
  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file (a key file is)", path);
      return FALSE;
    }
  char buf[ANON_KEYFILE_MAX + 1];
  gsize len = 0;
  for (;;)
    {
      ssize_t r = read (fd, buf + len, sizeof buf - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: cannot read key file: %s", path, g_strerror (e));
          return FALSE;
        }
      if (r == 0 || (len += (gsize) r) == sizeof buf)
        break;
    }
  close (fd);
  gboolean ok = len > ANON_KEYFILE_MAX
    ? anon_keyfile_error (error, path, ANON_KEYFILE_MAX, "longer than %d bytes: not a key file", ANON_KEYFILE_MAX)
    : anon_key_parse (path, buf, len, k, error);
  OPENSSL_cleanse (buf, sizeof buf);
  if (ok && (st.st_mode & 077) != 0)
    dp_stage_info (stage, "warning: key file %s can be read by others (mode %04o); chmod 600 it",
                   path, (unsigned) (st.st_mode & 07777));
  return ok;
}
