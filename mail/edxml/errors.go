package edxml

import (
	"errors"
	"fmt"
)

// The ways a package is refused. Each error of this package wraps one of
// them; a *FieldError says which field and why.
var (
	// ErrNotEdXML: well-formed XML, but no edXML package of QCVN 102:2016
	// (another root element, another namespace).
	ErrNotEdXML = errors.New("edxml: not an edXML package of QCVN 102:2016")
	// ErrMalformed: not well-formed XML, or a structure that cannot be read
	// (broken base64, a tag cut off).
	ErrMalformed = errors.New("edxml: malformed package")
	// ErrDoctype: the package declares a DOCTYPE (where entity-expansion
	// attacks begin); none is needed and none is read.
	ErrDoctype = errors.New("edxml: the package declares a DOCTYPE")
	// ErrTooLarge: past a bound of Options (the XML, an attachment, the
	// number of attachments, an unzipped attachment).
	ErrTooLarge = errors.New("edxml: package too large")
	// ErrInvalid: read, but a field is missing or wrong (*FieldError).
	ErrInvalid = errors.New("edxml: invalid package")
)

// FieldError is a field that is missing or wrong.
type FieldError struct {
	Field  string // the element path, e.g. "MessageHeader/Code/CodeNumber"
	Reason string // required | too_long | bad_date | bad_value | duplicate | future
	Detail string // the value or the bound, for the message
}

func (e *FieldError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("edxml: %s: %s (%s)", e.Field, e.Reason, e.Detail)
	}
	return fmt.Sprintf("edxml: %s: %s", e.Field, e.Reason)
}

func (e *FieldError) Unwrap() error { return ErrInvalid }

// Sentence says it in Vietnamese, for clerks (congvu edxml check) and the
// window.
func (e *FieldError) Sentence() string {
	what := map[string]string{
		"required":  "bắt buộc nhưng bị bỏ trống",
		"too_long":  "dài quá mức cho phép",
		"bad_date":  "không phải ngày hợp lệ (yyyy/MM/dd)",
		"bad_time":  "không phải thời điểm hợp lệ (yyyy/MM/dd HH:mm:ss)",
		"bad_value": "có giá trị không hợp lệ",
		"duplicate": "bị lặp lại",
		"future":    "là một ngày trong tương lai",
		"bad_id":    "không phải mã định danh hợp lệ (dạng 000.00.00.H00)",
	}[e.Reason]
	if what == "" {
		what = e.Reason
	}
	s := "Trường " + e.Field + " " + what
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s + "."
}

func fieldErr(field, reason, detail string) error {
	return &FieldError{Field: field, Reason: reason, Detail: detail}
}

// Sentence words any error of Parse or Validate in Vietnamese.
func Sentence(err error) string {
	var fe *FieldError
	switch {
	case err == nil:
		return "Gói tin hợp lệ."
	case errors.As(err, &fe):
		return fe.Sentence()
	case errors.Is(err, ErrDoctype):
		return "Gói tin có khai báo DOCTYPE (có thể là tấn công mở rộng thực thể): không đọc."
	case errors.Is(err, ErrNotEdXML):
		return "Tệp không phải gói tin edXML theo QCVN 102:2016 (sai phần tử gốc hoặc không gian tên). Chi tiết: " + err.Error()
	case errors.Is(err, ErrTooLarge):
		return "Gói tin vượt giới hạn kích thước cho phép. Chi tiết: " + err.Error()
	case errors.Is(err, ErrMalformed):
		return "Gói tin bị hỏng, không đọc được. Chi tiết: " + err.Error()
	}
	return "Không đọc được gói tin: " + err.Error()
}
