/* ingest-bare.c — the peers of bench/ingest: bare libpcap read loops that
 * touch every packet (caplen and two header bytes) and nothing else, with
 * pcap_next_ex (default) or with pcap_loop (--loop), libpcap's fastest
 * offline API: one callback per packet, no copy of the header. */
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>

typedef struct {
  unsigned long long n, sum;
} Tally;

static void
bare_count (Tally *t, const struct pcap_pkthdr *hdr, const u_char *data)
{
  t->n++;
  t->sum += hdr->caplen + data[0] + (hdr->caplen > 23 ? data[23] : 0);
}

static void
bare_callback (u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
  bare_count ((Tally *) user, hdr, data);
}

int
main (int argc, char **argv)
{
  int loop = argc == 3 && strcmp (argv[1], "--loop") == 0;
  if (argc != 2 + loop)
    {
      fprintf (stderr, "usage: %s [--loop] FILE.pcap\n", argv[0]);
      return 2;
    }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline (argv[1 + loop], errbuf);
  if (p == NULL)
    {
      fprintf (stderr, "%s\n", errbuf);
      return 1;
    }
  Tally t = { 0, 0 };
  struct pcap_pkthdr *hdr;
  const u_char *data;
  if (loop)
    {
      if (pcap_loop (p, -1, bare_callback, (u_char *) &t) == PCAP_ERROR)
        fprintf (stderr, "%s\n", pcap_geterr (p));
    }
  else
    while (pcap_next_ex (p, &hdr, &data) == 1)
      bare_count (&t, hdr, data);
  pcap_close (p);
  /* printing the sum keeps the compiler from dropping the loop */
  printf ("%llu %llu\n", t.n, t.sum);
  return 0;
}
