# Scores CVSS v2/v3.0/v3.1 vectors with the cvss-suite gem (Debian package
# ruby-cvss-suite): one vector per input line, one output line each,
# "BASE TEMPORAL ENVIRONMENTAL" or "INVALID" (negative zero printed as 0.0).
require 'cvss_suite'

STDIN.each_line do |line|
  cvss = CvssSuite.new(line.strip)
  if cvss.valid?
    puts [cvss.base_score, cvss.temporal_score, cvss.environmental_score].map { |s| format('%.1f', s.zero? ? 0.0 : s) }.join(' ')
  else
    puts 'INVALID'
  end
rescue StandardError => e
  puts "ERROR #{e.class}"
end
