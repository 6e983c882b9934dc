package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Origin reduces an http(s) URL to its origin, scheme://host[:port], the form that
// Content-Security-Policy sources and CORS compare. A leading "*." in the host (any subdomain)
// is kept for CSP sources. It refuses anything else, so that a flag's value can never add a
// directive to a header.
func Origin(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("origin %q: %w", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("origin %q: want an http:// or https:// URL", raw)
	}
	host := strings.ToLower(u.Host)
	if host == "" || u.User != nil {
		return "", fmt.Errorf("origin %q: want scheme://host[:port], without user or password", raw)
	}
	name := strings.TrimPrefix(host, "*.")
	if strings.IndexFunc(name, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')
	}) >= 0 {
		return "", fmt.Errorf("origin %q: the host has characters a host name cannot have", raw)
	}
	// Browsers leave a scheme's default port out of Origin.
	if scheme == "https" && strings.HasSuffix(host, ":443") || scheme == "http" && strings.HasSuffix(host, ":80") {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return scheme + "://" + host, nil
}

// contentSecurityPolicy allows this server's own scripts, styles, fonts, data and workers, and
// nothing inline: no inline script or style, no eval, no plugins, no framing. MapLibre starts
// its worker from this server's module and may fall back to a blob: worker; it draws images
// from data: and blob: URLs. extra origins (a basemap's style, tile, glyph and sprite hosts) may
// be fetched and drawn from.
func contentSecurityPolicy(extra []string) string {
	fetch := strings.Join(append([]string{"'self'"}, extra...), " ")
	images := strings.Join(append([]string{"'self'", "data:", "blob:"}, extra...), " ")
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src " + images,
		"font-src 'self'",
		"connect-src " + fetch,
		"worker-src 'self' blob:",
		"child-src 'self' blob:",
		"manifest-src 'self'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// secureHeaders sets on every response the headers that keep a browser from running what the
// data carries: the CSP, no MIME sniffing, and no framing by other sites.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// Methods and headers a cross-origin page may use, answered to its preflight.
const (
	corsMethods = "GET, HEAD, POST, DELETE"
	corsHeaders = "Authorization, Content-Type, If-None-Match"
	corsExpose  = "ETag, Link, Content-Disposition"
)

// cors lets the pages of the configured origins read the API ("*": any page). Without any, it
// adds nothing and browsers keep cross-origin pages out, as by default.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.corsOrigins) == 0 {
		return next
	}
	anyOrigin := slices.Contains(s.corsOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Answers differ by Origin: a shared cache must not hand one origin's answer to another.
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		allowed := anyOrigin || slices.Contains(s.corsOrigins, strings.ToLower(origin))
		if allowed {
			if anyOrigin {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			h.Set("Access-Control-Expose-Headers", corsExpose)
		}
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !allowed {
			writeError(w, http.StatusForbidden, fmt.Sprintf("origin %s may not use this API (serve --cors-origin)", origin))
			return
		}
		h.Set("Access-Control-Allow-Methods", corsMethods)
		h.Set("Access-Control-Allow-Headers", corsHeaders)
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
}

// requireToken guards a writing endpoint: the request must carry the server's token as
// "Authorization: Bearer TOKEN". Digests are compared in constant time, so neither the token's
// bytes nor its length leak through timing.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.tokenDigest == nil {
			writeError(w, http.StatusForbidden, "writing is disabled: start stemgap serve with STEMGAP_TOKEN or --token-file")
			return
		}
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="stemgap"`)
			writeError(w, http.StatusUnauthorized, "this endpoint needs a bearer token (Authorization: Bearer TOKEN)")
			return
		}
		given := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if subtle.ConstantTimeCompare(given[:], s.tokenDigest) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="stemgap", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "the bearer token is not valid")
			return
		}
		next.ServeHTTP(w, r)
	})
}
