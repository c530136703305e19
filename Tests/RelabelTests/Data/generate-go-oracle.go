// Generates go-regexp-oracle.txt: Go's own answers for the patterns and texts below, used by
// GoOracleTests.swift as a differential oracle for promwatch's RelabelRegex.
//
//	cd Tests/RelabelTests/Data && go run generate-go-oracle.go > go-regexp-oracle.txt
//
// Line format (tab-separated, strings Go-quoted):
//
//	find <pattern> <text> <result>   regexp.MustCompile(pattern).FindAllStringSubmatchIndex(text, -1)
//	prom <pattern> <text> <result>   regexp.Compile("^(?s:" + pattern + ")$").FindStringSubmatchIndex(text)
//	expand <pattern> <text> <template> <result>   Prometheus-anchored match, then ExpandString (quoted), or "nomatch"
//
// (Go 1.19 generated the file; `(?<name>…)` and `(?<=` messages of newer Go are tested separately.)
//
// <result> is "none", "error:" + the Go error text, or matches separated by ";" with space-separated offsets.
package main

import (
	"fmt"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
)

var curated = []string{
	``, `a`, `abc`, `a|b|c`, `foo|bar|baz`, `go_.*|process_.*`, `.*`, `.+`, `(.*)`, `(.+)`, `.*foo.*`,
	`.*_total`, `prefix_.*_suffix`, `a.*b.*c`, `a.+b`, `(a+)(b+)?`, `(a*)*`, `(a*)+`, `(a|ab)(c|bcd)(d*)`,
	`(a+|b+)*c`, `x*`, `(?i)abc`, `(?i)k`, `(?i)s`, `(?i)[k-m]+`, `(?i)σ+`, `(?i)[[:upper:]]+`, `(?U)a+`, `(?U)a+?`,
	`a+?`, `a*?`, `a??b`, `(a??)(a*)`, `(a{2,3}?)(a*)`, `a{2}`, `a{2,}`, `a{,2}`, `a{0}`, `(a){0,2}`, `x{2}{3}`,
	`(?m)^a$`, `(?m)^`, `(?m)$`, `^`, `$`, `\A`, `\z`, `^$`, `\b`, `\B`, `\bfoo\b`, `\w+`, `\W+`, `\d+`, `\D`, `\s+`,
	`\S+`, `[[:alpha:]]+`, `[[:^alpha:]]+`, `[[:punct:]]`, `[^a-c]+`, `[a-c-]`, `[]a]`, `[^]a]`, `[\d\-x]+`,
	`\pL+`, `\p{Lu}+`, `\PL+`, `\p{^Lu}`, `\pN+`, `[\p{Nd}x]+`, `\x41\x{42}\101`, `\Q.*+\E+`, `\.\*\+`, `\t\n`,
	`(?s).`, `.`, `[^x]`, `(?s:a.b)|c`, `(?:(a)|b)+`, `(a)|(b)`, `((a)|(b))*`, `(?P<first>\w+) (?P<last>\w+)`,
	`(?P<x>a)(?P<x>b)?`, `日本+`, `[日本]+`, `(?i)ǅ`, `(?i)ſ`, `(.)(.)`, `\x{fffd}`, `a\C`, `a**`, `a*+`, `a??+`,
	`*`, `(?i)*`, `a|*`, `(`, `)`, `a)`, `(a`, `[a`, `[z-a]`, `x{1001}`, `(a{500}){3}`, `\1`, `(?=a)`, `(?!a)`,
	`(?P=x)`, `(?P<>a)`, `(?P<a-b>x)`, `(?x)a`, `(?i-)`, `(?-)`, `\8`, `\xZZ`, `\x{110000}`, `\pX`,
	`\p{Foo}`, `[[:foo:]]`, `a\`, `\Z`, `[\b]`, `{`, `a{`, `a{1`, `a{1,`, `a{01}`, `x{2}{`, `(?i)\W`, `[^\S\s]`,
	`(|a)*`, `(|a)+`, `(a|)*`, `(?:a|(?:b|c))*d`, `(?:)`, `()`, `(?:a?)*?`, `(a*?)*`, `(a|b)*?b`,
	`(.+?)(\:\d+)?;(\d+)`, `(?:.+,|^)path:(/[^,]+).*`, `some-([^-]+)-([^,]+)`, `__meta_kubernetes_pod_label_(.+)`,
	`line1.*line2`, `(line1).*(?P<second>line2)`, `f(.*)`, `(b).*b(.*)ba(.*)`, `Succeeded|Failed`, `(https?)`,
}

var texts = []string{
	"", "a", "ab", "abc", "aaa", "abab", "foo", "foobar", "go_goroutines", "process_cpu", "http_requests_total",
	"x", "xx", "a b", "kK\u212a", "sSſ", "ΣσςAB", "日本本", "a\nb", "line1\nline2", "\xff", "A1 b2_c3", "aab",
	"Succeeded", "10.1.2.3:8080;9100", "10.1.2.3;9100", "path:/secret,job:some-job,label:foo=bar", "some-name-value",
	"__meta_kubernetes_pod_label_app", "John Smith", "prefix_x_suffix", "ǅǄǆ",
}

func quote(s string) string { return strconv.Quote(s) }

func formatAll(m [][]int) string {
	if m == nil {
		return "none"
	}
	parts := make([]string, len(m))
	for i, one := range m {
		parts[i] = formatOne(one)
	}
	return strings.Join(parts, ";")
}

func formatOne(one []int) string {
	s := make([]string, len(one))
	for i, v := range one {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, " ")
}

// randomPattern builds small patterns over a two-letter alphabet, exercising priorities, empty loops and captures.
func randomPattern(r *rand.Rand, depth int) string {
	atoms := []string{"a", "b", ".", "[ab]", "[^a]", `\b`, "^", "$", "(?:)", `\w`, " "}
	var sb strings.Builder
	n := 1 + r.Intn(3)
	for i := 0; i < n; i++ {
		switch k := r.Intn(10); {
		case k < 5 || depth > 2:
			sb.WriteString(atoms[r.Intn(len(atoms))])
		case k < 7:
			sb.WriteString("(" + randomPattern(r, depth+1) + ")")
		case k < 8:
			sb.WriteString("(?:" + randomPattern(r, depth+1) + ")")
		default:
			sb.WriteString("(" + randomPattern(r, depth+1) + "|" + randomPattern(r, depth+1) + ")")
		}
		if r.Intn(3) == 0 {
			ops := []string{"*", "+", "?", "*?", "+?", "??", "{1,2}", "{2}", "{0,1}?"}
			sb.WriteString(ops[r.Intn(len(ops))])
		}
	}
	return sb.String()
}

func main() {
	r := rand.New(rand.NewSource(42))
	patterns := append([]string{}, curated...)
	for i := 0; i < 400; i++ {
		patterns = append(patterns, randomPattern(r, 0))
	}
	randomTexts := []string{"", "a", "b", "ab", "ba", "aab", "abb", "a b", "abab", "bbaa", "a\nb"}
	for i, p := range patterns {
		re, err := regexp.Compile(p)
		ts := texts
		if i >= len(curated) {
			ts = randomTexts
		}
		if err != nil {
			fmt.Printf("find\t%s\t%s\terror:%s\n", quote(p), quote(""), err.Error())
		} else {
			for _, t := range ts {
				fmt.Printf("find\t%s\t%s\t%s\n", quote(p), quote(t), formatAll(re.FindAllStringSubmatchIndex(t, -1)))
			}
		}
		full, err := regexp.Compile("^(?s:" + p + ")$")
		if err != nil {
			fmt.Printf("prom\t%s\t%s\terror:%s\n", quote(p), quote(""), err.Error())
			continue
		}
		for _, t := range ts {
			m := full.FindStringSubmatchIndex(t)
			res := "none"
			if m != nil {
				res = formatOne(m)
			}
			fmt.Printf("prom\t%s\t%s\t%s\n", quote(p), quote(t), res)
		}
	}
	templates := []string{"$1", "${1}", "$1x", "${1}x", "$$1", "$", "${", "${1", "$first-$last", "${first}_${last}",
		"$0", "$2", "$10", "$01", "x$-y", "$second", "${x}", "$x", "a$$b$1$$", "$日本"}
	expandCases := []struct{ p, t string }{
		{`(?P<first>\w+) (?P<last>\w+)`, "John Smith"}, {`(a)(b)?`, "a"}, {`(?P<x>a)(?P<x>b)?`, "a"},
		{`(?P<x>a)?(?P<x>b)`, "b"}, {`(.*)`, "value"}, {`(line1).*(?P<second>line2)`, "line1\nline2"},
		{`f(.*)`, "foo"},
	}
	for _, c := range expandCases {
		re := regexp.MustCompile("^(?s:" + c.p + ")$")
		for _, tmpl := range templates {
			m := re.FindStringSubmatchIndex(c.t)
			res := "nomatch"
			if m != nil {
				res = quote(string(re.ExpandString(nil, tmpl, c.t, m)))
			}
			fmt.Printf("expand\t%s\t%s\t%s\t%s\n", quote(c.p), quote(c.t), quote(tmpl), res)
		}
	}
}
