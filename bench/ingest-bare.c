/* ingest-bare.c — the peer of bench/ingest: a bare libpcap read loop that
 * touches every packet (caplen and two header bytes) and nothing else. */
#include <stdio.h>
#include <pcap/pcap.h>

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: %s FILE.pcap\n", argv[0]);
      return 2;
    }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline (argv[1], errbuf);
  if (p == NULL)
    {
      fprintf (stderr, "%s\n", errbuf);
      return 1;
    }
  struct pcap_pkthdr *hdr;
  const u_char *data;
  unsigned long long n = 0, sum = 0;
  while (pcap_next_ex (p, &hdr, &data) == 1)
    {
      n++;
      sum += hdr->caplen + data[0] + (hdr->caplen > 23 ? data[23] : 0);
    }
  pcap_close (p);
  /* printing the sum keeps the compiler from dropping the loop */
  printf ("%llu %llu\n", n, sum);
  return 0;
}
