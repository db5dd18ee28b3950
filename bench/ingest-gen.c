/* ingest-gen.c — writes a classic pcap of N SYN-like 60-byte Ethernet
 * frames (random sources, ports and sequence numbers, 10 µs apart) for
 * bench/ingest.  Usage: ingest-gen N OUT.pcap   (same N prefix = same bytes) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
gen_next (uint64_t *s)
{
  /* xorshift64*: fixed seed, so every run writes the same file */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static void
gen_be16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v >> 8);
  p[1] = (uint8_t) v;
}

static void
gen_be32 (uint8_t *p, uint32_t v)
{
  gen_be16 (p, (uint16_t) (v >> 16));
  gen_be16 (p + 2, (uint16_t) v);
}

static void
gen_frame (uint8_t *f, uint64_t *seed)
{
  uint64_t r = gen_next (seed), q = gen_next (seed);
  memset (f, 0, 60);
  memcpy (f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
  uint8_t *ip = f + 14, *tcp = f + 34;
  ip[0] = 0x45;
  gen_be16 (ip + 2, 40);
  gen_be16 (ip + 4, (uint16_t) r);
  ip[8] = (uint8_t) (32 + (r >> 16) % 200);
  ip[9] = 6;
  gen_be32 (ip + 12, (uint32_t) (r >> 32));
  gen_be32 (ip + 16, 0x2c000000u | (uint32_t) (q & 0xffffff));   /* a /8 telescope */
  gen_be16 (tcp, (uint16_t) (1024 + (q >> 24) % 60000));
  static const uint16_t ports[] = { 23, 80, 443, 22, 445, 8080, 3389, 5555 };
  gen_be16 (tcp + 2, ports[(q >> 40) % 8]);
  gen_be32 (tcp + 4, (uint32_t) (q >> 32) ^ (uint32_t) r);
  tcp[12] = 5 << 4;
  tcp[13] = 0x02;
  gen_be16 (tcp + 14, 1024);
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: %s N OUT.pcap\n", argv[0]);
      return 2;
    }
  unsigned long long n = strtoull (argv[1], NULL, 10);
  FILE *out = fopen (argv[2], "wb");
  if (out == NULL)
    {
      perror (argv[2]);
      return 1;
    }
  static char buf[1 << 20];
  setvbuf (out, buf, _IOFBF, sizeof buf);
  uint32_t hdr[6] = { 0xa1b2c3d4u, 2 | (4u << 16), 0, 0, 65535, 1 };
  fwrite (hdr, 4, 6, out);
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  uint64_t t_us = 1700000000ull * 1000000ull;
  for (unsigned long long i = 0; i < n; i++, t_us += 10)
    {
      uint32_t rec[4] = { (uint32_t) (t_us / 1000000), (uint32_t) (t_us % 1000000), 60, 60 };
      uint8_t frame[60];
      gen_frame (frame, &seed);
      fwrite (rec, 4, 4, out);
      fwrite (frame, 1, 60, out);
    }
  if (fclose (out) != 0)
    {
      perror (argv[2]);
      return 1;
    }
  return 0;
}
