#!/usr/bin/perl
# enrich-mmdb.pl OUTDIR — writes the tiny MaxMind DB files that
# tests/test-enrich.c reads, with Debian's libmaxmind-db-writer-perl
# (MaxMind::DB::Writer::Tree): an ASN database in the GeoLite2-ASN layout
# as IPv4 (asn4.mmdb) and as IPv6 with the IPv4 networks under ::/96
# (asn6.mmdb), a country database in the GeoLite2-Country layout
# (country.mmdb), and an IPv6 database with no IPv4 network (v6only.mmdb).
# Networks nest (a /32 in a /25 in a /24) so that lookups must take the
# longest match; 240.0.0.0/4 has data, which enrich must not use (darkpipe's
# pseudonyms live there).  The test compares every lookup with mmdblookup.
use strict;
use warnings;
use utf8;
use MaxMind::DB::Writer::Tree;

my $dir = shift // die "usage: $0 OUTDIR\n";

my %types = (
  autonomous_system_number => 'uint32',
  autonomous_system_organization => 'utf8_string',
  country => 'map',
  registered_country => 'map',
  continent => 'map',
  iso_code => 'utf8_string',
  code => 'utf8_string',
  geoname_id => 'uint32',
  names => 'map',
  en => 'utf8_string',
);

sub tree {
  my ($ip_version, $type) = @_;
  return MaxMind::DB::Writer::Tree->new(
    ip_version => $ip_version,
    record_size => 24,
    database_type => $type,
    languages => ['en'],
    description => { en => "darkpipe test database ($type)" },
    map_key_type_callback => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,   # the test uses documentation ranges
  );
}

sub write_tree {
  my ($tree, $name) = @_;
  open my $fh, '>:raw', "$dir/$name" or die "$dir/$name: $!\n";
  $tree->write_tree($fh);
  close $fh or die "$dir/$name: $!\n";
}

# inserted widest first: a later, longer network overrides its part
my @asn = (
  ['10.0.0.0/8', { autonomous_system_number => 64510, autonomous_system_organization => 'Ten Networks' }],
  ['198.51.100.0/24', { autonomous_system_number => 64500, autonomous_system_organization => 'Example Org A' }],
  ['198.51.100.128/25', { autonomous_system_number => 64501, autonomous_system_organization => 'Société B, Ünïcode' }],
  ['198.51.100.200/32', { autonomous_system_number => 64502, autonomous_system_organization => 'Host C' }],
  ['203.0.113.0/24', { autonomous_system_number => 4200000000 }],
  ['192.0.2.0/24', { autonomous_system_organization => 'No Number Org' }],
  ['240.0.0.0/4', { autonomous_system_number => 64999, autonomous_system_organization => 'Reserved' }],
);

for my $v (4, 6) {
  my $t = tree($v, 'GeoLite2-ASN');
  $t->insert_network(@$_) for @asn;
  if ($v == 6) {
    $t->insert_network('2001:db8::/32', { autonomous_system_number => 64496 });
    $t->insert_network('2001:db8:1::/48', { autonomous_system_number => 64497, autonomous_system_organization => 'Six One' });
  }
  write_tree($t, "asn$v.mmdb");
}

my $c = tree(6, 'GeoLite2-Country');
$c->insert_network('10.0.0.0/8', { country => { iso_code => 'US', geoname_id => 6252001 } });
$c->insert_network('198.51.100.0/24',
  { country => { iso_code => 'DE' }, registered_country => { iso_code => 'DE' } });
$c->insert_network('198.51.100.128/25',
  { country => { iso_code => 'FR', names => { en => 'France' } }, registered_country => { iso_code => 'DE' } });
$c->insert_network('203.0.113.0/24', { registered_country => { iso_code => 'JP' } });
$c->insert_network('192.0.2.0/24', { continent => { code => 'EU' } });
$c->insert_network('240.0.0.0/4', { country => { iso_code => 'ZZ' } });
$c->insert_network('2001:db8::/32', { country => { iso_code => 'NL' } });
$c->insert_network('2001:db8:1:2::/64', { registered_country => { iso_code => 'SE' } });
write_tree($c, 'country.mmdb');

my $six = tree(6, 'GeoLite2-ASN');
$six->insert_network('2001:db8::/32', { autonomous_system_number => 64496, autonomous_system_organization => 'Six' });
write_tree($six, 'v6only.mmdb');
