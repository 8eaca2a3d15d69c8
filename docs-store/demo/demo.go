// Package demo generates a realistic, deterministic demo agency: a city
// People's Committee with its units and staff, this year's registers,
// incoming documents from real-looking issuers with directions and handling,
// and drafts in every state of the approval flow. The same seed always
// gives the same events, ids and numbers; `make demo`, the screenshots and
// the benchmarks use it.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode"

	docstore "congvu/docs-store"
)

// Config sizes the demo.
type Config struct {
	Seed     uint64
	Today    time.Time // documents are spread from 1 January to this day
	Incoming int       // incoming documents in the ordinary register
	Secret   int       // in the secret incoming register
	Drafts   int       // drafts, spread over every state; most end issued
}

// Default is what `congvu demo` builds.
func Default(today time.Time) Config {
	return Config{Seed: 2020, Today: today, Incoming: 1500, Secret: 40, Drafts: 300}
}

// Clock is a settable clock for a store the generator drives.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *Clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// IDs makes deterministic ids from a seed: a counter then seeded random
// bits, so they sort in the order they were made, like the store's own.
func IDs(seed uint64) func() string {
	var mu sync.Mutex
	var n uint64
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("%012x%020x", n, r.Uint64())
	}
}

// Options returns store options with a deterministic clock and ids.
func Options(seed uint64, start time.Time) (docstore.Options, *Clock) {
	c := &Clock{t: start}
	return docstore.Options{Now: c.Now, NewID: IDs(seed)}, c
}

// vn is the zone the demo agency works in.
var vn = docstore.VietnamTime

// Cast names the people a demo user can switch between.
type Cast struct {
	Admin, Clerk, SecretClerk, Chairman, ViceChairman string
	UnitHead, Specialist                              string // Phòng Tài nguyên và Môi trường
	IncomingRegister, SecretRegister                  string
	OutgoingRegister, SecretOutgoing                  string
	People                                            []docstore.PersonInput
}

// Open creates a store in dir and fills it; the store's clock ends at
// cfg.Today so later commands are dated today.
func Open(ctx context.Context, dir string, cfg Config) (*docstore.Store, *Cast, error) {
	start := time.Date(cfg.Today.Year(), 1, 2, 8, 0, 0, 0, vn)
	opt, clock := Options(cfg.Seed, start)
	st, err := docstore.Open(dir, opt)
	if err != nil {
		return nil, nil, err
	}
	g := &gen{st: st, clock: clock, cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 7))}
	if err := g.run(ctx); err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	clock.Set(cfg.Today)
	return st, &g.cast, nil
}

type gen struct {
	st     *docstore.Store
	clock  *Clock
	cfg    Config
	r      *rand.Rand
	cast   Cast
	units  []unit
	byUnit map[string][]docstore.PersonInput
}

type unit struct{ id, name, abbr string }

var units = []unit{
	{"vp", "Văn phòng HĐND và UBND", "VP"},
	{"nv", "Phòng Nội vụ", "NV"},
	{"tckh", "Phòng Tài chính – Kế hoạch", "TCKH"},
	{"tnmt", "Phòng Tài nguyên và Môi trường", "TNMT"},
	{"qldt", "Phòng Quản lý đô thị", "QLĐT"},
	{"vhtt", "Phòng Văn hóa và Thông tin", "VHTT"},
	{"gddt", "Phòng Giáo dục và Đào tạo", "GDĐT"},
	{"ldtbxh", "Phòng Lao động – Thương binh và Xã hội", "LĐTBXH"},
	{"tp", "Phòng Tư pháp", "TP"},
	{"ttr", "Thanh tra thành phố", "TTr"},
	{"yt", "Phòng Y tế", "YT"},
	{"kt", "Phòng Kinh tế", "KT"},
}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middleM     = []string{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân"}
	middleF     = []string{"Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Mỹ", "Kim", "Phương"}
	givenM      = []string{"Ánh", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hòa", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Thành", "Tuấn", "Việt", "Vinh"}
	givenF      = []string{"An", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Phương", "Quyên", "Thảo", "Thủy", "Trang", "Uyên", "Vân", "Yến"}
)

func (g *gen) name() string {
	f := familyNames[g.r.IntN(len(familyNames))]
	if g.r.IntN(2) == 0 {
		return f + " " + middleM[g.r.IntN(len(middleM))] + " " + givenM[g.r.IntN(len(givenM))]
	}
	return f + " " + middleF[g.r.IntN(len(middleF))] + " " + givenF[g.r.IntN(len(givenF))]
}

// Issuer is a sending agency with its mã định danh.
type Issuer struct{ Name, Code, Abbr string }

// Issuers of incoming documents: the province, its departments, ministries.
var Issuers = []Issuer{
	{"UBND tỉnh Lâm Hà", "000.00.00.H31", "UBND"},
	{"Văn phòng UBND tỉnh Lâm Hà", "000.00.01.H31", "VP"},
	{"Sở Nội vụ tỉnh Lâm Hà", "000.00.02.H31", "SNV"},
	{"Sở Tài chính tỉnh Lâm Hà", "000.00.03.H31", "STC"},
	{"Sở Tài nguyên và Môi trường tỉnh Lâm Hà", "000.00.04.H31", "STNMT"},
	{"Sở Xây dựng tỉnh Lâm Hà", "000.00.05.H31", "SXD"},
	{"Sở Giáo dục và Đào tạo tỉnh Lâm Hà", "000.00.06.H31", "SGDĐT"},
	{"Sở Y tế tỉnh Lâm Hà", "000.00.07.H31", "SYT"},
	{"Sở Thông tin và Truyền thông tỉnh Lâm Hà", "000.00.08.H31", "STTTT"},
	{"Sở Lao động – Thương binh và Xã hội tỉnh Lâm Hà", "000.00.09.H31", "SLĐTBXH"},
	{"Công an tỉnh Lâm Hà", "000.00.10.H31", "CAT"},
	{"Bộ Nội vụ", "000.00.00.G09", "BNV"},
	{"Văn phòng Chính phủ", "000.00.00.G22", "VPCP"},
	{"Bộ Tài nguyên và Môi trường", "000.00.00.G18", "BTNMT"},
	{"Huyện ủy Đức Trọng", "000.12.31.H31", "HU"},
	{"Ban Quản lý dự án đầu tư xây dựng thành phố", "000.20.31.H31", "BQLDA"},
}

var (
	topics = []string{
		"công tác quản lý đất đai", "thu hồi đất để thực hiện dự án đường vành đai", "bồi thường, hỗ trợ, tái định cư",
		"cải cách hành chính năm {Y}", "chuyển đổi số trong cơ quan nhà nước", "phòng, chống thiên tai và tìm kiếm cứu nạn",
		"công tác tuyển sinh năm học {Y}–{Y1}", "tiêm chủng mở rộng", "phòng, chống dịch sốt xuất huyết",
		"kiểm tra an toàn vệ sinh thực phẩm dịp Tết Nguyên đán", "quyết toán ngân sách nhà nước năm {Y0}",
		"dự toán thu, chi ngân sách năm {Y1}", "bổ nhiệm lại công chức lãnh đạo", "nâng bậc lương thường xuyên",
		"thi đua, khen thưởng năm {Y}", "tiếp công dân định kỳ", "giải quyết khiếu nại của công dân phường Hòa Bình",
		"cấp giấy chứng nhận quyền sử dụng đất", "chỉnh trang đô thị khu vực trung tâm", "trật tự xây dựng trên địa bàn",
		"bảo vệ môi trường lưu vực sông", "thu gom, xử lý rác thải sinh hoạt", "xây dựng nông thôn mới nâng cao",
		"hỗ trợ hộ nghèo, hộ cận nghèo", "chi trả trợ cấp ưu đãi người có công", "tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
		"an toàn giao thông dịp lễ Quốc khánh 2/9", "phòng cháy, chữa cháy tại khu dân cư", "thực hiện Nghị định 30/2020/NĐ-CP về công tác văn thư",
		"triển khai Luật Đất đai năm 2024", "rà soát thủ tục hành chính", "đánh giá, xếp loại chất lượng cán bộ, công chức",
		"tổ chức kỳ thi tốt nghiệp trung học phổ thông", "quản lý hoạt động karaoke, vũ trường", "phát triển du lịch cộng đồng",
		"hoà giải ở cơ sở", "phổ biến, giáo dục pháp luật", "thuỷ lợi phục vụ sản xuất vụ Đông Xuân", "khoẻ mạnh học đường",
	}
	verbs = map[string][]string{
		"CV":  {"V/v ", "Về việc ", "V/v đề nghị báo cáo ", "V/v góp ý dự thảo về ", "V/v đôn đốc "},
		"QD":  {"Về việc phê duyệt kế hoạch ", "Về việc thành lập Tổ công tác ", "Về việc ban hành quy chế ", "Về việc giao chỉ tiêu "},
		"KH":  {"Kế hoạch triển khai ", "Thực hiện ", "Tổ chức "},
		"TB":  {"Kết luận của Chủ tịch UBND tỉnh về ", "Thông báo lịch ", "Thông báo kết quả "},
		"BC":  {"Báo cáo tình hình ", "Báo cáo sơ kết ", "Báo cáo kết quả "},
		"GM":  {"Mời dự họp về ", "Mời dự hội nghị ", "Mời dự tập huấn "},
		"CT":  {"Về tăng cường ", "Về đẩy mạnh "},
		"HD":  {"Hướng dẫn thực hiện ", "Hướng dẫn "},
		"TTR": {"Đề nghị phê duyệt ", "Đề nghị bổ sung kinh phí "},
		"ND":  {"Quy định chi tiết ", "Sửa đổi, bổ sung quy định về "},
		"TT":  {"Hướng dẫn ", "Quy định "},
	}
	typeWeights = []struct {
		code string
		w    int
	}{{"CV", 40}, {"QD", 12}, {"KH", 10}, {"TB", 9}, {"BC", 8}, {"GM", 8}, {"CT", 2}, {"HD", 4}, {"TTR", 3}, {"ND", 2}, {"TT", 2}}
)

func (g *gen) pickType() string {
	total := 0
	for _, t := range typeWeights {
		total += t.w
	}
	n := g.r.IntN(total)
	for _, t := range typeWeights {
		if n < t.w {
			return t.code
		}
		n -= t.w
	}
	return "CV"
}

func (g *gen) subject(typ string, year int) string {
	vs := verbs[typ]
	if vs == nil {
		vs = verbs["CV"]
	}
	t := topics[g.r.IntN(len(topics))]
	t = strings.NewReplacer("{Y}", fmt.Sprint(year), "{Y0}", fmt.Sprint(year-1), "{Y1}", fmt.Sprint(year+1)).Replace(t)
	r := []rune(vs[g.r.IntN(len(vs))] + t)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// notation composes a plausible số ký hiệu for an issuer and type.
func notation(num int, typ string, is Issuer, year int) string {
	t, _ := docstore.LookupDocType(typ)
	switch {
	case typ == "ND" || typ == "TT":
		return fmt.Sprintf("%02d/%d/%s-%s", num, year, t.Abbr, is.Abbr)
	case t.Abbr == "":
		return fmt.Sprintf("%02d/%s-VP", num, is.Abbr)
	}
	return fmt.Sprintf("%02d/%s-%s", num, t.Abbr, is.Abbr)
}

// IncomingInputs makes n realistic incoming documents for a register,
// arriving on days spread over [from, to]; used by the demo and the
// benchmarks. Numbers of the issuers' documents grow through the year.
func IncomingInputs(r *rand.Rand, registerID string, n int, from, to time.Time, secrecy docstore.Secrecy) []docstore.IncomingInput {
	g := &gen{r: r}
	days := int(to.Sub(from).Hours()/24) + 1
	out := make([]docstore.IncomingInput, n)
	issued := map[string]int{}
	for i := range out {
		day := from.AddDate(0, 0, i*days/max(n, 1))
		is := Issuers[r.IntN(len(Issuers))]
		typ := g.pickType()
		if (typ == "ND" || typ == "TT") && !strings.HasSuffix(is.Code, "G22") {
			typ = "CV"
		}
		issued[is.Code] += 1 + r.IntN(5)
		docDate := day.AddDate(0, 0, -r.IntN(4))
		if docDate.Before(from) {
			docDate = from
		}
		in := docstore.IncomingInput{
			RegisterID: registerID, ArrivalDate: day.Format("2006-01-02"), Issuer: is.Name, IssuerCode: is.Code,
			Notation: notation(issued[is.Code], typ, is, day.Year()), DocDate: docDate.Format("2006-01-02"),
			Type: typ, Subject: g.subject(typ, day.Year()), Pages: 1 + r.IntN(12), Secrecy: secrecy,
			Source: []docstore.Source{docstore.SourcePaper, docstore.SourceElectronic, docstore.SourceEdXML, docstore.SourceEdXML, docstore.SourceEmail}[r.IntN(5)],
		}
		switch u := r.IntN(20); {
		case u == 0:
			in.Urgency = docstore.UrgencyFlash
		case u < 3:
			in.Urgency = docstore.UrgencyHigh
		case u < 6:
			in.Urgency = docstore.UrgencyUrgent
		}
		if r.IntN(3) == 0 {
			in.DueDate = day.AddDate(0, 0, 5+r.IntN(20)).Format("2006-01-02")
		}
		out[i] = in
	}
	return out
}
