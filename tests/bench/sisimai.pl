#!/usr/bin/perl
# sisimai.pl - Sisimai's side of the bounce-classification bench
#
#   perl sisimai.pl MAILDIR
#
# Calls Sisimai->make on MAILDIR (a directory of message files, read by
# Sisimai::Mail::Maildir) once, in this one process, and prints
#
#   messages=N parsed=M seconds=S
#
# messages: files in MAILDIR; parsed: the records Sisimai returned (one per
# recipient of each bounce it recognised); seconds: the wall time of
# Sisimai->make alone (interpreter start-up and module loading excluded,
# which favours Sisimai slightly).  Needs Debian's libsisimai-perl (4.25).
use strict;
use warnings;
use Time::HiRes qw(time);
use Sisimai;

my $dir = shift or die "usage: $0 MAILDIR\n";
opendir(my $dh, $dir) or die "$dir: $!\n";
my $messages = grep { -f "$dir/$_" } readdir($dh);
closedir($dh);

my $t0 = time;
my $v = Sisimai->make($dir);
my $t1 = time;
printf "messages=%d parsed=%d seconds=%.6f version=%s\n", $messages,
    scalar(@{ $v || [] }), $t1 - $t0, $Sisimai::VERSION;
