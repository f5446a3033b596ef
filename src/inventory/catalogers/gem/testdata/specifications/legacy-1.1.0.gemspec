# -*- encoding: utf-8 -*-

Gem::Specification.new do |s|
  s.name = %q{legacy}
  s.version = "1.1.0"

  s.required_rubygems_version = Gem::Requirement.new(">= 0") if s.respond_to? :required_rubygems_version=
  s.authors = ["Old 'Quoted' Author"]
  s.date = %q{2010-06-15}
  s.homepage = %q{http://legacy.rubyforge.org/}
  s.license = 'Ruby'
  s.require_paths = ["lib"]
  s.rubygems_version = %q{1.3.7}
  s.summary = %q{A gemspec as RubyGems 1.3 wrote it}
end
