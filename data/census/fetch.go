// Package census pulls public data from the Census Bureau itself: TIGER/Line census tracts
// (zipped shapefiles from www2.census.gov) and the ACS 5-year tables the method needs (from the
// Census Data API, api.census.gov), as ingests ready for any store.
package census

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Public endpoints, as the Census Bureau documents them.
const (
	DefaultTigerURL = "https://www2.census.gov/geo/tiger"
	DefaultACSURL   = "https://api.census.gov/data"
)

// Fetcher downloads from the Census Bureau with retries, logging its progress.
type Fetcher struct {
	Client   *http.Client
	TigerURL string // base of TIGER/Line files
	ACSURL   string // base of the Census Data API
	APIKey   string // optional Census Data API key
	Log      *slog.Logger
	// Attempts per request (at least 1) and the wait before the first retry, doubled each time.
	Attempts int
	Backoff  time.Duration
}

// Request names the geography and vintage to fetch.
type Request struct {
	State    string   // 2-digit FIPS, e.g. "29"
	Counties []string // 3-digit FIPS; empty means every county of the state
	Year     int      // ACS 5-year end year and TIGER/Line vintage, e.g. 2022
}

var (
	stateFIPS  = regexp.MustCompile(`^[0-9]{2}$`)
	countyFIPS = regexp.MustCompile(`^[0-9]{3}$`)
)

// Check rejects a request the endpoints cannot answer.
func (r Request) Check() error {
	if !stateFIPS.MatchString(r.State) {
		return fmt.Errorf("--state %q: want a 2-digit state FIPS code (Missouri is 29)", r.State)
	}
	for _, c := range r.Counties {
		if !countyFIPS.MatchString(c) {
			return fmt.Errorf("--county %q: want 3-digit county FIPS codes (St. Louis city is 510)", c)
		}
	}
	// The ACS 5-year tract tables begin with 2009; later years appear each December.
	if r.Year < 2009 || r.Year > time.Now().Year() {
		return fmt.Errorf("--year %d: ACS 5-year tract data exist from 2009", r.Year)
	}
	return nil
}

func (r Request) inCounty(fp string) bool {
	return len(r.Counties) == 0 || slices.Contains(r.Counties, fp)
}

// get fetches a URL, retrying network errors, 429 and 5xx answers with exponential backoff.
func (f *Fetcher) get(ctx context.Context, what, u string) ([]byte, error) {
	attempts := max(f.Attempts, 1)
	wait := f.Backoff
	var lastErr error
	for attempt := 1; attempt <= attempts; attempt++ {
		start := time.Now()
		body, status, err := f.once(ctx, u)
		switch {
		case err == nil && status == http.StatusOK:
			f.log().Info("downloaded", "what", what, "bytes", len(body), "took", time.Since(start).Round(time.Millisecond))
			return body, nil
		case err != nil:
			lastErr = err
		case status == http.StatusTooManyRequests || status >= 500:
			lastErr = fmt.Errorf("HTTP %d", status)
		default:
			return nil, fmt.Errorf("%s: %s answered HTTP %d: %s", what, redact(u), status, strings.TrimSpace(string(body[:min(len(body), 200)])))
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt < attempts {
			f.log().Warn("retrying", "what", what, "attempt", attempt, "of", attempts, "err", lastErr, "wait", wait)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			wait *= 2
		}
	}
	return nil, fmt.Errorf("%s: %s failed after %d attempts: %w", what, redact(u), attempts, lastErr)
}

func (f *Fetcher) once(ctx context.Context, u string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", "stemgap (https://github.com/stemgap)")
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return body, resp.StatusCode, err
}

func (f *Fetcher) log() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return f.Log
}

// redact keeps an API key out of error messages and logs.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(bad URL)"
	}
	q := p.Query()
	if q.Has("key") {
		q.Set("key", "REDACTED")
		p.RawQuery = q.Encode()
	}
	return p.String()
}

func digest(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var errNoTracts = errors.New("no tracts")
