package edxml

import "time"

// Namespace is QCVN 102:2016's XML namespace, on every edXML element.
const Namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

// Package is one edXML package: a document (edoc) or a status report.
type Package struct {
	Document *Document `json:"document,omitempty"`
	Status   *Status   `json:"status,omitempty"`
	// Signature is the package's XML signature block, when it has one:
	// kept as it came, its certificate read for showing.
	Signature *Signature `json:"signature,omitempty"`
}

// Organ is an agency as edXML names it (From, To).
type Organ struct {
	OrganID              string `json:"organ_id"` // mã định danh, e.g. 000.00.00.H41
	OrganizationInCharge string `json:"organization_in_charge,omitempty"`
	OrganName            string `json:"organ_name"`
	OrganAdd             string `json:"organ_add,omitempty"`
	Email                string `json:"email,omitempty"`
	Telephone            string `json:"telephone,omitempty"`
	Fax                  string `json:"fax,omitempty"`
	Website              string `json:"website,omitempty"`
}

// Document is an edoc package: the document's metadata (Decree 30
// Phụ lục VI), how it travelled, and its files.
type Document struct {
	From Organ   `json:"from"`
	To   []Organ `json:"to"`
	// DocumentID identifies the document between agencies:
	// "<sender's OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>".
	DocumentID string `json:"document_id"`
	// CodeNumber is the số, CodeNotation the ký hiệu without it
	// ("7816" and "VPCP-TTĐT").
	CodeNumber   string `json:"code_number"`
	CodeNotation string `json:"code_notation"`
	Place        string `json:"place,omitempty"`
	Date         string `json:"promulgation_date"` // ngày ban hành, ISO yyyy-mm-dd
	// Type, TypeDetail and TypeName: the document type; code lists differ
	// between systems, TypeName ("Công văn") is what is relied on.
	Type         int          `json:"type"`
	TypeDetail   int          `json:"type_detail"`
	TypeName     string       `json:"type_name"`
	Subject      string       `json:"subject"` // trích yếu
	Content      string       `json:"content,omitempty"`
	Signer       Signer       `json:"signer"`
	DueDate      string       `json:"due_date,omitempty"` // ISO, "" when none
	ToPlaces     []string     `json:"to_places,omitempty"`
	Other        OtherInfo    `json:"other_info"`
	ResponseFor  []Reference  `json:"response_for,omitempty"`
	SteeringType int          `json:"steering_type"` // 0 not steering, 1 steering, 2 report on steering
	Traces       []Trace      `json:"traces,omitempty"`
	Business     Business     `json:"business"`
	Attachments  []Attachment `json:"attachments,omitempty"`
}

// Signer is who signed: quyền hạn ("KT. CHỦ TỊCH"), chức vụ, họ tên.
type Signer struct {
	Competence string `json:"competence,omitempty"`
	Position   string `json:"position,omitempty"`
	FullName   string `json:"full_name"`
}

// OtherInfo holds the rest of the metadata.
type OtherInfo struct {
	// Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
	Priority             int      `json:"priority"`
	SphereOfPromulgation string   `json:"sphere_of_promulgation,omitempty"`
	TyperNotation        string   `json:"typer_notation,omitempty"`
	PromulgationAmount   int      `json:"promulgation_amount,omitempty"`
	PageAmount           int      `json:"page_amount,omitempty"`
	Direction            bool     `json:"direction,omitempty"`
	Appendixes           []string `json:"appendixes,omitempty"`
}

// Reference points at another agency's document: what a reply answers,
// what a status reports on, what a revocation takes back.
type Reference struct {
	OrganID    string `json:"organ_id"`
	Code       string `json:"code"` // số/ký hiệu in full: "7816/VPCP-TTĐT"
	Date       string `json:"promulgation_date,omitempty"`
	DocumentID string `json:"document_id"`
}

// Trace is one agency the package passed through.
type Trace struct {
	OrganID   string    `json:"organ_id"`
	Timestamp time.Time `json:"timestamp"`
}

// BusinessType says what the package does with the document.
type BusinessType int

const (
	BusinessNew         BusinessType = 0 // văn bản mới
	BusinessRevocation  BusinessType = 1 // thu hồi
	BusinessUpdate      BusinessType = 2 // cập nhật
	BusinessReplacement BusinessType = 3 // thay thế
)

// Business is the TraceHeaderList's Bussiness part (the standard spells
// it with two s).
type Business struct {
	DocumentID string       `json:"document_id,omitempty"`
	Type       BusinessType `json:"type"`
	Reason     string       `json:"reason,omitempty"`
	Paper      bool         `json:"paper,omitempty"` // a paper copy is sent too
	Staff      StaffInfo    `json:"staff"`
	// For an update (2): what changed, and the new receivers.
	DocumentInfoChanged bool       `json:"document_info_changed,omitempty"`
	ReceiversChanged    bool       `json:"receivers_changed,omitempty"`
	Receivers           []Receiver `json:"receivers,omitempty"`
	// For a replacement (3): the documents replaced.
	Replacements []Replacement `json:"replacements,omitempty"`
}

// Receiver is one receiver of an updated document.
type Receiver struct {
	OrganID string `json:"organ_id"`
	Type    int    `json:"type"`
}

// Replacement is a document a replacement replaces, at these agencies.
type Replacement struct {
	DocumentID string   `json:"document_id"`
	OrganIDs   []string `json:"organ_ids,omitempty"`
}

// StaffInfo is the văn thư (or officer) behind a package.
type StaffInfo struct {
	Department string `json:"department,omitempty"`
	Staff      string `json:"staff,omitempty"`
	Mobile     string `json:"mobile,omitempty"`
	Email      string `json:"email,omitempty"`
}

// Attachment is one file of a document package. Its content went to the
// Store given to Parse (unzipped when the sender zipped it, as the
// national SDK does).
type Attachment struct {
	ContentID   string `json:"content_id"`
	Name        string `json:"name"` // as the sender named it (shown, never a path)
	Description string `json:"description,omitempty"`
	ContentType string `json:"content_type"`
	Zipped      bool   `json:"zipped,omitempty"` // came zipped
	Ref         Ref    `json:"file"`
}

// Ref is an attachment's content in a Store.
type Ref struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// StatusCode is a business status of QCVN 102 (not a transport status).
type StatusCode string

const (
	StatusArrived         StatusCode = "01" // đã đến
	StatusRefused         StatusCode = "02" // từ chối tiếp nhận
	StatusRegistered      StatusCode = "03" // đã tiếp nhận (vào sổ)
	StatusAssigned        StatusCode = "04" // phân công xử lý
	StatusInProgress      StatusCode = "05" // đang xử lý
	StatusCompleted       StatusCode = "06" // hoàn thành
	StatusRevocationAsked StatusCode = "13" // yêu cầu lấy lại (by the sender)
	StatusRequestAgreed   StatusCode = "15" // đồng ý cập nhật / lấy lại
	StatusRequestRefused  StatusCode = "16" // từ chối cập nhật / lấy lại
)

// StatusCodes are the codes this package knows, in order.
var StatusCodes = []StatusCode{StatusArrived, StatusRefused, StatusRegistered, StatusAssigned, StatusInProgress,
	StatusCompleted, StatusRevocationAsked, StatusRequestAgreed, StatusRequestRefused}

// Status is a status package: From reports Code about the document
// ResponseFor points at.
type Status struct {
	From        Organ      `json:"from"`
	ResponseFor Reference  `json:"response_for"`
	Staff       StaffInfo  `json:"staff"`
	Code        StatusCode `json:"status_code"`
	Description string     `json:"description,omitempty"`
	Timestamp   time.Time  `json:"timestamp"`
}

// Signature is an XML signature block (W3C XML-DSig) as it came, with
// what its certificate says. Its verification is not done here.
type Signature struct {
	SignatureMethod string       `json:"signature_method,omitempty"`
	DigestMethod    string       `json:"digest_method,omitempty"`
	Certificate     *Certificate `json:"certificate,omitempty"`
}

// Certificate is what a signature's X.509 certificate says.
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"` // of the DER, to compare
}
