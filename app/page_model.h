// Physical memory as cards: one row per allocated folio (the zero pages
// included), a THP as one row whose interesting subpages are listed in the
// `subpages` role and whose 512 subpages are summed up, one character each,
// in `subpageStates`. One instance shows system RAM, another device memory.
#pragma once

#include "page.h"
#include "row_list_model.h"

#include <QStringList>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace mmt {
class Kernel;
}

struct PageRow {
    uint32_t key = 0; // pfn of the head page
    QString name;     // "page #12", "the zero page", "device page #40"
    QString contents; // what the page holds, "" for zeroes
    int refcount = 0;
    int mapcount = 0;       // folio-wide: PTE mappings plus PMD mappings
    int entireMapcount = 0; // PMD mappings of the folio (head only)
    int pincount = 0;       // compound_pincount (large folios)
    int inFlight = 0;
    bool maybePinned = false;   // folio_maybe_dma_pinned()
    bool anonExclusive = false; // PageAnonExclusive (any subpage for a THP)
    bool zero = false;
    bool device = false;
    bool swapCache = false;
    int swapSlot = 0;
    bool ksm = false;
    int pageCount = 1;     // 1 or 512
    QStringList flags;     // the other PG_ flags, as badges
    QString owner;         // the rmap: "anon_vma of buf, index 3"
    QVariantList subpages; // THP: [{pfn, index, contents, mapcount, anonExclusive}]
    int otherSubpages = 0; // THP subpages not listed (untouched)
    // THP: one character per subpage, '.' for one in the head's state that
    // holds no data, else '0' + a mask of PageModel::SubpageDifference.
    QString subpageStates;
    int differingSubpages = 0; // subpages whose mapcount or exclusive bit differs from the head's
    int writtenSubpages = 0;   // subpages that hold data
    bool operator==(const PageRow&) const = default;
};

class PageModel : public RowListModel<PageRow> {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("pages come from Session")

public:
    enum Role {
        PfnRole = Qt::UserRole + 1,
        CardKeyRole,
        NameRole,
        ContentsRole,
        RefcountRole,
        MapcountRole,
        EntireMapcountRole,
        PincountRole,
        InFlightRole,
        MaybePinnedRole,
        AnonExclusiveRole,
        ZeroRole,
        DeviceRole,
        SwapCacheRole,
        SwapSlotRole,
        KsmRole,
        PageCountRole,
        FlagsRole,
        OwnerRole,
        SubpagesRole,
        OtherSubpagesRole,
        SubpageStatesRole,
        DifferingSubpagesRole,
        WrittenSubpagesRole,
        HugeRole, // more than one page: a THP or the huge zero page
    };
    Q_ENUM(Role)
    // What a subpage shows in the grid, as bits of subpageStates: it holds
    // data, its own mapcount (PTE mappings) or its PG_anon_exclusive differs
    // from the head's.
    enum SubpageDifference { Written = 1, MapcountDiffers = 2, ExclusiveDiffers = 4 };
    Q_ENUM(SubpageDifference)
    enum class Memory { system, device };

    PageModel(Memory memory, QObject* parent);

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void load(const mmt::Kernel& kernel);
    void update(const mmt::Kernel& kernel) { replaceRows(build(kernel)); }
    // The row showing the folio of `pfn`, or -1.
    Q_INVOKABLE int rowOfPfn(int pfn) const;

protected:
    QList<int> changedRoles(const PageRow& before, const PageRow& after) const override;

private:
    // Rows for the kernel's folios; a folio whose struct pages are all as
    // when its row was made keeps that row (a step touches a few pages of
    // thousands, and making a row means making its strings).
    std::vector<PageRow> build(const mmt::Kernel& kernel);

    Memory memory_;
    std::vector<mmt::Page> seen_; // by pfn: the struct pages the rows were made from
};
