"""The department loop: submission forms, who has reported, correction workbooks."""
