package cards

import (
	"errors"
	"fmt"
	"time"

	"github.com/tekstore/tekstore/codes"
)

// Card is one printed authorization code.
type Card struct {
	// Code is the code in any form that codes.Parse accepts; it is printed
	// in the grouped form.
	Code string
	// ExpiresAt is when the code stops working. It is printed in its own
	// time zone, to the minute.
	ExpiresAt time.Time
}

// ErrNoCards reports a call to Render without cards.
var ErrNoCards = errors.New("cards: no cards to render")

// ErrBadCard reports a card that cannot be printed: its code does not parse
// or it has no expiry time. The error names the card by position, never by
// its code.
var ErrBadCard = errors.New("cards: invalid card")

// printable is a validated card, ready to draw.
type printable struct {
	code      codes.Code
	expiresAt time.Time
}

// validate parses every card's code and checks its expiry time.
func validate(cards []Card) ([]printable, error) {
	if len(cards) == 0 {
		return nil, ErrNoCards
	}
	out := make([]printable, len(cards))
	for i, c := range cards {
		code, err := codes.Parse(c.Code)
		if err != nil {
			return nil, fmt.Errorf("%w: card %d: %w", ErrBadCard, i+1, err)
		}
		if c.ExpiresAt.IsZero() {
			return nil, fmt.Errorf("%w: card %d has no expiry time", ErrBadCard, i+1)
		}
		out[i] = printable{code: code, expiresAt: c.ExpiresAt}
	}
	return out, nil
}
